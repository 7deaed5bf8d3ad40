import Foundation
import ZeroMQ

/// What a consumer makes of an event's sequence number, given what it has
/// seen from the same publisher before.
@usableFromInline
package enum SequenceVerdict: Equatable {
    /// A new event: the next one, or after `missed` events that never came.
    case next(missed: UInt64)
    /// An event below the highest seen, not seen before: it fills a gap.
    case late
    /// An event seen before: skip it.
    case duplicate
    /// The sequence starts over: the first event of a publisher restarted
    /// under the same id, a number far below the window, or one that jumps
    /// further ahead than any real gap (a peer can send any number, so such a
    /// jump is counted and not trusted).
    case reset
}

/// One publisher's recent sequence numbers: the highest seen, a bitmap of
/// which of the ``SequenceWindow/width`` numbers up to it arrived, and the
/// newest timestamp seen since the sequence last started over.
///
/// The window is what keeps a hostile or confused peer from muting a
/// publisher. A number is a duplicate only when that very number arrived
/// before, so a spoofed envelope with a high number costs at most the one
/// real event whose number it took; the real events below it arrive as
/// ``SequenceVerdict/late``. A number more than `width` below the highest, or
/// a repeated number with a later timestamp than any seen (a publisher that
/// restarted under the same id), starts the sequence over. The newest
/// timestamp is believed only up to a few seconds past this host's clock.
@usableFromInline
struct SequenceWindow {
    /// How many sequence numbers back duplicates are recognised.
    static let width: UInt64 = 64
    /// The largest jump ahead counted as a gap; a larger one is a ``SequenceVerdict/reset``.
    /// At a million events a second, a gap this large is more than an hour of events.
    static let largestGap: UInt64 = 1 << 32

    private(set) var highest: UInt64
    /// Bit `n` set: number `highest - n` arrived.
    private var seen: UInt64 = 1
    private var newestTimestamp: Int64

    init(first sequence: UInt64, timestamp: Int64) {
        highest = sequence
        newestTimestamp = Int64.min
        raiseNewest(to: timestamp)
    }

    /// Judges `sequence`, sent at `timestamp`, and records it unless it is a duplicate.
    mutating func record(_ sequence: UInt64, timestamp: Int64) -> SequenceVerdict {
        if sequence > highest {
            let jump = sequence - highest
            guard jump <= Self.largestGap else { return restart(at: sequence, timestamp: timestamp) }
            seen = jump < Self.width ? (seen << jump) | 1 : 1
            highest = sequence
            raiseNewest(to: timestamp)
            return .next(missed: jump - 1)
        }
        let back = highest - sequence
        guard back < Self.width else { return restart(at: sequence, timestamp: timestamp) }
        let bit: UInt64 = 1 << back
        if seen & bit != 0 {
            // A later time than any seen: the publisher restarted.
            return timestamp > newestTimestamp ? restart(at: sequence, timestamp: timestamp) : .duplicate
        }
        seen |= bit
        raiseNewest(to: timestamp)
        return .late
    }

    /// Remembers `timestamp` as the newest seen, but never later than a few
    /// seconds past this host's clock: a spoofed time far ahead would hide
    /// every restart of the publisher for good.
    private mutating func raiseNewest(to timestamp: Int64) {
        guard timestamp > newestTimestamp else { return }
        newestTimestamp = min(timestamp, coarseWallClockNanoseconds() &+ Self.clockTolerance)
    }

    /// How far ahead of this host's clock a publisher's timestamps are believed.
    static let clockTolerance: Int64 = 5_000_000_000

    private mutating func restart(at sequence: UInt64, timestamp: Int64) -> SequenceVerdict {
        self = SequenceWindow(first: sequence, timestamp: timestamp)
        return .reset
    }
}

/// Nanoseconds since 1970 from the coarse real-time clock (a few ms of
/// resolution, for a fraction of the cost of the precise one).
func coarseWallClockNanoseconds() -> Int64 {
    var now = timespec()
    #if os(Linux)
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
    #else
        clock_gettime(CLOCK_REALTIME, &now)
    #endif
    return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
}

/// The ``SequenceWindow`` of each publisher a consumer hears from, in a table
/// of bounded size: a peer can make up any number of publisher ids, so the
/// least recently heard are forgotten (a forgotten publisher that comes back
/// starts a new window, counted as neither gap nor duplicate).
///
/// The table keeps two generations of at most ``capacity``/2 publishers each:
/// when the current one fills, it becomes the old one and the old one is
/// dropped; a publisher heard from again moves back to the current one. The
/// latest publisher's window is kept apart from both, so a stream from one
/// publisher hashes no id per event.
@usableFromInline
package struct PublisherSequences {
    /// How many publishers are remembered at most (about 60 bytes each).
    package static let capacity = 8_192

    private var latest: (publisher: UUID, window: SequenceWindow)?
    private var current: [UUID: SequenceWindow] = [:]
    private var previous: [UUID: SequenceWindow] = [:]

    @usableFromInline package init() {}

    /// How many publishers are remembered.
    package var count: Int { current.count + previous.count + (latest == nil ? 0 : 1) }

    /// Judges `sequence` from `publisher`, sent at `timestamp`: `nil` for a
    /// publisher not heard from before (or forgotten).
    @usableFromInline
    package mutating func record(_ publisher: UUID, sequence: UInt64, timestamp: Int64) -> SequenceVerdict? {
        if latest?.publisher == publisher {
            return latest!.window.record(sequence, timestamp: timestamp)
        }
        // Looked up before the latest is put back: that may drop the older generation.
        let known = current.removeValue(forKey: publisher) ?? previous.removeValue(forKey: publisher)
        if let latest { remember(latest.publisher, latest.window) }
        guard var window = known else {
            latest = (publisher, SequenceWindow(first: sequence, timestamp: timestamp))
            return nil
        }
        let verdict = window.record(sequence, timestamp: timestamp)
        latest = (publisher, window)
        return verdict
    }

    private mutating func remember(_ publisher: UUID, _ window: SequenceWindow) {
        if current.count >= Self.capacity / 2 {
            previous = current
            current = [:]
        }
        current[publisher] = window
    }
}
