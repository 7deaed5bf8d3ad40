import Foundation

/// Questions about the past, answered from the event store's log: the
/// questions a table of current state cannot answer, because it overwrote the
/// answer. (An employee table says john is a backend engineer; only a log of
/// "john joined as cloud engineer", "john moved to backend" says what he was
/// before.)
public enum History {
    /// The statuses an order went through, oldest first, one per change.
    public static func statuses(of orderHistory: [StoredEvent]) -> [OrderStatus] {
        var statuses: [OrderStatus] = []
        for stored in orderHistory {
            if let status = stored.event.orderStatus, status != statuses.last, statuses.last != .delivered {
                statuses.append(status)
            }
        }
        return statuses
    }

    /// "What was this order's previous status?"
    public static func previousStatus(of orderHistory: [StoredEvent]) -> OrderStatus? {
        let statuses = statuses(of: orderHistory)
        return statuses.count >= 2 ? statuses[statuses.count - 2] : nil
    }

    /// "Which couriers held this job before it was redelivered?", with the
    /// attempt each one held, by attempt. Told by attempt numbers, not by the
    /// log's order: a crashed courier's facts may reach the store (from its
    /// outbox, once it restarts) after the redelivery they led to.
    public static func holdersBeforeRedelivery(of orderHistory: [StoredEvent]) -> [(courierID: Int, attempt: Int)] {
        let lastRedelivery = orderHistory.compactMap { stored -> Int? in
            if case .jobRedelivered(let redelivered) = stored.event { redelivered.attempt } else { nil }
        }.max()
        guard let lastRedelivery else { return [] }
        var holders: [(courierID: Int, attempt: Int)] = []
        for stored in orderHistory {
            guard case .courierAssigned(let assigned) = stored.event, assigned.attempt < lastRedelivery,
                !holders.contains(where: { $0 == (assigned.courierID, assigned.attempt) })
            else { continue }
            holders.append((assigned.courierID, assigned.attempt))
        }
        return holders.sorted { $0.attempt < $1.attempt }
    }

    /// "Where was this courier before?": its positions, oldest first.
    public static func positions(of courierHistory: [StoredEvent]) -> [Position] {
        courierHistory.compactMap {
            if case .locationUpdated(let location) = $0.event { location.position } else { nil }
        }
    }

    /// "What led to what?": the order's facts as a tree of causes, each fact
    /// under the fact its sender named as its cause, children in store order;
    /// a fact whose cause is not in the history (the first of the order, or
    /// one stored before facts carried causes) starts a branch of its own.
    /// Depth-first, so printing each fact indented by its depth reads as the
    /// chain from the order to its delivery, across the roles that sent it.
    public static func causalChain(of orderHistory: [StoredEvent]) -> [(depth: Int, stored: StoredEvent)] {
        let ids = Set(orderHistory.map(\.event.eventID))
        var children: [UUID: [StoredEvent]] = [:]
        var roots: [StoredEvent] = []
        for stored in orderHistory {
            if let cause = stored.causation.causationID, ids.contains(cause), cause != stored.event.eventID {
                children[cause, default: []].append(stored)
            } else {
                roots.append(stored)
            }
        }
        var chain: [(depth: Int, stored: StoredEvent)] = []
        var visited: Set<UUID> = []
        // Iterative, and each fact once: a peer's causes could form a cycle or a very deep chain.
        var stack = roots.reversed().map { (depth: 0, stored: $0) }
        while let next = stack.popLast() {
            guard visited.insert(next.stored.event.eventID).inserted else { continue }
            chain.append(next)
            for child in (children[next.stored.event.eventID] ?? []).reversed() {
                stack.append((next.depth + 1, child))
            }
        }
        // Facts only reachable through a cycle of causes: listed at the top level, so none is left out.
        for stored in orderHistory where !visited.contains(stored.event.eventID) {
            visited.insert(stored.event.eventID)
            chain.append((0, stored))
        }
        return chain
    }
}
