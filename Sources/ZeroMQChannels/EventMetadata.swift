import ZeroMQ

/// Keyed text that travels with an event in its envelope (format version 2):
/// trace context (W3C `traceparent` and `tracestate`, written by the
/// instrument bootstrapped in swift-distributed-tracing's
/// `InstrumentationSystem`), and the correlation and causation ids that tie
/// the events of one piece of work together.
///
/// Keys are 1 to ``maximumKeyLength`` bytes of `A–Z a–z 0–9 . _ -`; values
/// are UTF-8 of at most ``maximumValueLength`` bytes; an envelope holds at
/// most ``maximumCount`` entries. A reader holds a peer's envelope to the same
/// rules, so metadata can neither grow without bound nor carry control
/// characters in its keys.
public struct EventMetadata: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    /// The entries, by key.
    public private(set) var entries: [String: String]

    /// The most entries one envelope carries.
    public static let maximumCount = 32
    /// The longest key, in bytes.
    public static let maximumKeyLength = 64
    /// The longest value, in bytes.
    public static let maximumValueLength = 4_096

    /// The W3C trace context key of the span the event was sent in.
    public static let traceparentKey = "traceparent"
    /// The W3C trace context key of vendor-specific trace state.
    public static let tracestateKey = "tracestate"
    /// The key of the id shared by every event of one piece of work (an order, a request).
    public static let correlationIDKey = "correlation-id"
    /// The key of the id of the event that caused this one.
    public static let causationIDKey = "causation-id"

    /// No metadata: the envelope is written in format version 1.
    public init() { entries = [:] }

    /// Metadata with these entries.
    /// - Throws: ``ChannelError/invalidMetadata(_:)`` when a key or value breaks the rules above.
    public init(_ entries: [String: String]) throws(ChannelError) {
        self.entries = [:]
        for (key, value) in entries { try set(key, value) }
    }

    /// Metadata with the correlation and causation ids, where given.
    /// - Throws: ``ChannelError/invalidMetadata(_:)`` for an id longer than ``maximumValueLength``.
    public init(correlationID: String?, causationID: String?) throws(ChannelError) {
        entries = [:]
        if let correlationID { try set(Self.correlationIDKey, correlationID) }
        if let causationID { try set(Self.causationIDKey, causationID) }
    }

    /// Metadata literal, for tests and constants: a key or value that breaks the rules traps.
    public init(dictionaryLiteral elements: (String, String)...) {
        do {
            try self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
        } catch {
            preconditionFailure("\(error)")
        }
    }

    /// Whether there are no entries.
    public var isEmpty: Bool { entries.isEmpty }

    /// The value under `key`, if any.
    public subscript(key: String) -> String? { entries[key] }

    /// Sets `value` under `key`, replacing what was there.
    /// - Throws: ``ChannelError/invalidMetadata(_:)`` for a key or value that breaks the rules,
    ///   or an entry beyond ``maximumCount``.
    public mutating func set(_ key: String, _ value: String) throws(ChannelError) {
        if let problem = Self.problem(key: key, value: value) { throw .invalidMetadata(problem) }
        if entries[key] == nil, entries.count >= Self.maximumCount {
            throw .invalidMetadata("more than \(Self.maximumCount) entries")
        }
        entries[key] = value
    }

    /// Removes the entry under `key`.
    public mutating func remove(_ key: String) { entries[key] = nil }

    /// The id shared by every event of one piece of work, if set.
    public var correlationID: String? { entries[Self.correlationIDKey] }
    /// The id of the event that caused this one, if set.
    public var causationID: String? { entries[Self.causationIDKey] }
    /// The W3C `traceparent` of the span the event was sent in, if any.
    public var traceparent: String? { entries[Self.traceparentKey] }
    /// The W3C `tracestate`, if any.
    public var tracestate: String? { entries[Self.tracestateKey] }

    /// Why `key` and `value` cannot be an entry, or `nil` when they can.
    static func problem(key: String, value: String) -> String? {
        let keyBytes = key.utf8
        guard (1...maximumKeyLength).contains(keyBytes.count) else {
            return "key of \(keyBytes.count) bytes, expected 1 to \(maximumKeyLength)"
        }
        guard keyBytes.allSatisfy(isKeyByte) else {
            return "key \"\(PeerText.escaped(key, limit: maximumKeyLength))\" has a byte outside A-Z a-z 0-9 . _ -"
        }
        guard value.utf8.count <= maximumValueLength else {
            return "value of \"\(key)\" has \(value.utf8.count) bytes, at most \(maximumValueLength) allowed"
        }
        return nil
    }

    static func isKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// Entries read from a peer's envelope, unchecked: ``EventEnvelope`` checked them as it read them.
    init(unchecked entries: [String: String]) { self.entries = entries }

    /// Reads metadata from its entries, held to the same rules as ``set(_:_:)``:
    /// what an envelope could not carry is a `DecodingError`.
    /// (A dictionary, as ``encode(to:)`` writes it; `{"entries": {…}}`, as
    /// the version before it wrote, is read too.)
    public init(from decoder: any Decoder) throws {
        let entries: [String: String]
        if let wrapped = try? decoder.container(keyedBy: LegacyKeys.self),
            let legacy = try? wrapped.decode([String: String].self, forKey: .entries)
        {
            entries = legacy
        } else {
            entries = try decoder.singleValueContainer().decode([String: String].self)
        }
        do {
            try self.init(entries)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    private enum LegacyKeys: String, CodingKey { case entries }

    /// Writes the entries, as a dictionary.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(entries)
    }
}
