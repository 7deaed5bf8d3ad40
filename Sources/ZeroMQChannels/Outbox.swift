import Foundation
import ZeroMQ

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
/// the live entries when most of it is removed ones. One process at a time
/// may hold a journal (`flock`); a second is refused with `ZMQError.Code.wouldBlock` (`EWOULDBLOCK`, the same errno as `EAGAIN`).
///
/// Record layout, integers big-endian: `u8 kind (1 add, 2 remove) | 16 bytes id`,
/// and for an add `u64 sequence | u32 frame count | (u32 length | bytes) per frame`.
/// A record cut short by a crash at the end of the file is cut off when the
/// journal opens, so that what is appended next starts a record of its own.
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

    /// Opens (or creates, mode 0600) the journal at `path`, and locks it for this process.
    public init(path: String) throws(ZMQError) {
        self.path = path
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ZMQError(errno: errno, operation: "open outbox \(path)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            _ = Foundation.close(descriptor)
            throw ZMQError(errno: code, operation: "lock outbox \(path) (another sender holds it)")
        }
        var journal = Journal(descriptor: descriptor)
        do throws(ZMQError) {
            let contents = try Self.readAll(descriptor, path: path)
            let complete = Self.replay(contents, into: &journal)
            if complete < contents.count {
                guard ftruncate(descriptor, off_t(complete)) == 0, fsync(descriptor) == 0 else {
                    throw ZMQError(errno: errno, operation: "cut the torn end of outbox \(path)")
                }
            }
        } catch {
            _ = Foundation.close(descriptor)
            throw error
        }
        self.journal.withLock { $0 = journal }
    }

    /// The whole file behind `descriptor`.
    private static func readAll(_ descriptor: Int32, path: String) throws(ZMQError) -> [UInt8] {
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw ZMQError(errno: errno, operation: "read outbox \(path)") }
            if count == 0 { return contents }
            contents += chunk[..<count]
            offset += off_t(count)
        }
    }

    deinit { close() }

    /// Closes the journal and releases its lock; later calls throw `EBADF`.
    /// Calling it again does nothing.
    public func close() {
        journal.withLock { journal in
            guard journal.descriptor >= 0 else { return }
            _ = Foundation.close(journal.descriptor)
            journal.descriptor = -1
        }
    }

    public func load() throws -> [OutboxEntry] {
        journal.withLock { journal in journal.order.compactMap { journal.live[$0] } }
    }

    public func add(_ entries: [OutboxEntry]) throws {
        var bytes: [UInt8] = []
        for entry in entries { Self.appendAdd(entry, to: &bytes) }
        try journal.withLock { (journal) throws(ZMQError) in
            try Self.write(bytes, to: journal.descriptor, path: path)
            guard fsync(journal.descriptor) == 0 else { throw ZMQError(errno: errno, operation: "fsync outbox \(path)") }
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
        guard descriptor >= 0 else { throw ZMQError(errno: errno, operation: "open outbox \(temporary)") }
        do throws(ZMQError) {
            try Self.write(bytes, to: descriptor, path: temporary)
            guard fsync(descriptor) == 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0, rename(temporary, path) == 0
            else {
                throw ZMQError(errno: errno, operation: "replace outbox \(path)")
            }
            // The rename itself is durable once the directory is synced.
            let directory = open((path as NSString).deletingLastPathComponent.isEmpty
                ? "." : (path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
            if directory >= 0 {
                _ = fsync(directory)
                _ = Foundation.close(directory)
            }
        } catch {
            _ = Foundation.close(descriptor)
            throw error
        }
        _ = Foundation.close(journal.descriptor)
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
        _ = replay(bytes, into: &journal)
        return journal.order.compactMap { journal.live[$0] }
    }

    /// Replays the records in `bytes` and returns where the last complete one ends.
    @discardableResult
    private static func replay(_ bytes: [UInt8], into journal: inout Journal) -> Int {
        var offset = 0
        var complete = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, offset + count <= bytes.count else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            take(MemoryLayout<T>.size).map { $0.reduce(T(0)) { $0 << 8 | T($1) } }
        }
        records: while let kind = take(1)?.first, let idBytes = take(16) {
            let id = idBytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
            if kind == 2 {
                journal.live[id] = nil
            } else {
                // Placed at its latest add.
                guard kind == 1, let sequence = integer(UInt64.self), let count = integer(UInt32.self) else { break }
                var frames: [[UInt8]] = []
                for _ in 0..<count {
                    guard let length = integer(UInt32.self), let frame = take(Int(length)) else { break records }
                    frames.append(Array(frame))
                }
                journal.order.append(id)
                journal.live[id] = OutboxEntry(id: id, sequence: sequence, frames: frames)
            }
            journal.records += 1
            complete = offset
        }
        // An id removed and added again stands once, where it was last added.
        var placed = Set<UUID>()
        journal.order = journal.order.reversed().filter { journal.live[$0] != nil && placed.insert($0).inserted }
            .reversed()
        return complete
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(ZMQError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw ZMQError(errno: errno, operation: "write outbox \(path)") }
            offset += written
        }
    }
}
