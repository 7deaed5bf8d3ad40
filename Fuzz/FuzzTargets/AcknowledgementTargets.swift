import Foundation
import ZeroMQ
import ZeroMQChannels

/// The acknowledgement frame a sender of the acknowledged channel reads from
/// its receiver: any bytes parse or are refused; what parses writes back the same frame.
let acknowledgementTarget = FuzzTarget(
    name: "acknowledgement", summary: "the acknowledged channel's acknowledgement frame",
    run: { bytes in
        if let ids = Acknowledgement.ids(in: bytes) {
            precondition(Acknowledgement.frame(acknowledging: ids) == Array(bytes), "an acknowledgement does not write back")
        }
    },
    seeds: {
        let ids = (0..<3).map { _ in UUID() }
        return [Acknowledgement.frame(acknowledging: ids), [1, 1], [1, 1, 7], [2, 1] + [UInt8](repeating: 0, count: 16)]
    }
)

/// A `FileOutbox` journal as a crash may leave it: any bytes load to the
/// entries added and not removed, and a journal of those entries loads to the same.
let outboxJournalTarget = FuzzTarget(
    name: "outbox-journal", summary: "the file outbox's journal replay",
    run: { bytes in
        let entries = FileOutbox.entries(inJournal: Array(bytes))
        precondition(Set(entries.map(\.id)).count == entries.count, "an outbox loads an entry twice")
    },
    seeds: {
        let entry = OutboxEntry(id: UUID(), sequence: 7, frames: [Array("orders.".utf8), [1, 2, 3], []])
        var add: [UInt8] = [1]
        withUnsafeBytes(of: entry.id.uuid) { add += $0 }
        add += FuzzInput.encode(entry.sequence) + FuzzInput.encode(UInt32(entry.frames.count))
        for frame in entry.frames { add += FuzzInput.encode(UInt32(frame.count)) + frame }
        var remove: [UInt8] = [2]
        withUnsafeBytes(of: entry.id.uuid) { remove += $0 }
        return [add, add + remove, add + remove + add, Array(add.dropLast(2))]
    }
)
