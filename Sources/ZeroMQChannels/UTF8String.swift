import ZeroMQ
/// `bytes` as a string, or `nil` when they are not valid UTF-8. ASCII, the
/// common case for names and short texts, is checked and copied in one pass;
/// the standard library's validation is generic and costs more per call.
func utf8String(_ bytes: UnsafeRawBufferPointer) -> String? {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    return String(validating: bytes, as: UTF8.self)
}
