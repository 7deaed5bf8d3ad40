import Foundation

/// An event an ``AcknowledgedSender`` keeps until it is acknowledged: its id,
/// its sequence number and its frames as sent.
public struct OutboxEntry: Sendable, Equatable {
    /// The event's id.
    public let id: UUID
    /// Its sequence number from its sender.
    public let sequence: UInt64
    /// `[topic][envelope][payload]`.
    public let frames: [[UInt8]]

    /// An entry.
    public init(id: UUID, sequence: UInt64, frames: [[UInt8]]) {
        self.id = id
        self.sequence = sequence
        self.frames = frames
    }
}

/// Where an ``AcknowledgedSender`` keeps its unacknowledged events so that
/// they survive its restart (``AcknowledgedSenderOptions/outbox``). The
/// sender's thread calls it: `add` before the events are sent (and before
/// `send` returns), `remove` once they are acknowledged.
public protocol Outbox: Sendable {
    /// The entries added and not removed, in the order added.
    func load() throws -> [OutboxEntry]
    /// Stores `entries` durably before returning.
    func add(_ entries: [OutboxEntry]) throws
    /// Forgets the entries with these ids.
    func remove(_ ids: Set<UUID>) throws
}

/// An ``Outbox`` in a file: an append-only journal of added and removed
/// entries, synced to disk (`fsync`) on every `add`, and rewritten with only
/// the live entries when most of it is removed ones.
///
/// Record layout, integers big-endian: `u8 kind (1 add, 2 remove) | 16 bytes id`,
/// and for an add `u64 sequence | u32 frame count | (u32 length | bytes) per frame`.
/// A record cut short by a crash at the end of the file is ignored.
public final class FileOutbox: Outbox {
    /// The journal's path.
    public let path: String
    private let journal = Locked<Journal>(Journal())

    private struct Journal {
        var descriptor: Int32 = -1
        var live: [UUID: OutboxEntry] = [:]
        var order: [UUID] = []
        var records = 0
    }

    /// Opens (or creates, mode 0600) the journal at `path`.
    public init(path: String) throws(ZMQError) {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ZMQError(code: errno, operation: "open outbox \(path)") }
        var journal = Journal(descriptor: descriptor)
        let contents = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        Self.replay([UInt8](contents), into: &journal)
        self.journal.withLock { $0 = journal }
    }

    deinit { journal.withLock { _ = close($0.descriptor) } }

    public func load() throws -> [OutboxEntry] {
        journal.withLock { journal in journal.order.compactMap { journal.live[$0] } }
    }

    public func add(_ entries: [OutboxEntry]) throws {
        var bytes: [UInt8] = []
        for entry in entries { Self.appendAdd(entry, to: &bytes) }
        try journal.withLock { (journal) throws(ZMQError) in
            try Self.write(bytes, to: journal.descriptor, path: path)
            guard fsync(journal.descriptor) == 0 else { throw ZMQError(code: errno, operation: "fsync outbox \(path)") }
            for entry in entries where journal.live[entry.id] == nil {
                journal.live[entry.id] = entry
                journal.order.append(entry.id)
            }
            journal.records += entries.count
        }
    }

    public func remove(_ ids: Set<UUID>) throws {
        var bytes: [UInt8] = []
        for id in ids {
            bytes.append(2)
            withUnsafeBytes(of: id.uuid) { bytes.append(contentsOf: $0) }
        }
        try journal.withLock { (journal) throws(ZMQError) in
            // Not synced: an acknowledgement lost in a crash only means a resend, which the receiver drops.
            try Self.write(bytes, to: journal.descriptor, path: path)
            for id in ids { journal.live[id] = nil }
            journal.records += ids.count
            if journal.live.isEmpty { journal.order.removeAll(keepingCapacity: true) }
            if journal.records > 10_000 && journal.records > 4 * journal.live.count { try compact(&journal) }
        }
    }

    /// Rewrites the journal with the live entries alone, through a new file renamed into place.
    private func compact(_ journal: inout Journal) throws(ZMQError) {
        journal.order = journal.order.filter { journal.live[$0] != nil }
        var bytes: [UInt8] = []
        for id in journal.order { Self.appendAdd(journal.live[id]!, to: &bytes) }
        let temporary = path + ".compacting"
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ZMQError(code: errno, operation: "open outbox \(temporary)") }
        do throws(ZMQError) {
            try Self.write(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0, rename(temporary, path) == 0 else {
                throw ZMQError(code: errno, operation: "replace outbox \(path)")
            }
        } catch {
            close(descriptor)
            throw error
        }
        close(journal.descriptor)
        journal.descriptor = descriptor
        journal.records = journal.order.count
    }

    private static func appendAdd(_ entry: OutboxEntry, to bytes: inout [UInt8]) {
        bytes.append(1)
        withUnsafeBytes(of: entry.id.uuid) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: entry.sequence.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(entry.frames.count).bigEndian) { bytes.append(contentsOf: $0) }
        for frame in entry.frames {
            withUnsafeBytes(of: UInt32(frame.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: frame)
        }
    }

    /// The live entries of a journal's bytes, as a sender would load them.
    package static func entries(inJournal bytes: [UInt8]) -> [OutboxEntry] {
        var journal = Journal()
        replay(bytes, into: &journal)
        return journal.order.compactMap { journal.live[$0] }
    }

    private static func replay(_ bytes: [UInt8], into journal: inout Journal) {
        var offset = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            take(MemoryLayout<T>.size).map { $0.reduce(T(0)) { $0 << 8 | T($1) } }
        }
        while let kind = take(1)?.first, let idBytes = take(16) {
            let id = idBytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            if kind == 2 {
                journal.live[id] = nil
            } else {
                // Placed at its latest add.
                guard kind == 1, let sequence = integer(UInt64.self), let count = integer(UInt32.self) else { break }
                var frames: [[UInt8]] = []
                for _ in 0..<count {
                    guard let length = integer(UInt32.self), let frame = take(Int(length)) else { return }
                    frames.append(Array(frame))
                }
                journal.order.append(id)
                journal.live[id] = OutboxEntry(id: id, sequence: sequence, frames: frames)
            }
            journal.records += 1
        }
        // An id removed and added again stands once, where it was last added.
        var placed = Set<UUID>()
        journal.order = journal.order.reversed().filter { journal.live[$0] != nil && placed.insert($0).inserted }
            .reversed()
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(ZMQError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw ZMQError(code: errno, operation: "write outbox \(path)") }
            offset += written
        }
    }
}
