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
}
