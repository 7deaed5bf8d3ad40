/// `duration` in units of 1/`perSecond` of a second, rounded up (toward
/// +∞); clamped to `Int64.min` and `Int64.max`. The one conversion of a `Duration` to the
/// integers libzmq, `poll(2)` and Dispatch take: option values, poll
/// timeouts, bounded waits.
func wholeUnits(_ duration: Duration, per perSecond: Int64) -> Int64 {
    let (seconds, attoseconds) = duration.components
    let attosecondsPerUnit = 1_000_000_000_000_000_000 / perSecond
    let (scaled, overflow) = seconds.multipliedReportingOverflow(by: perSecond)
    if overflow { return seconds < 0 ? Int64.min : Int64.max }
    // Integer division truncates toward zero: up for a negative fraction, so only a positive one needs rounding.
    let fraction = attoseconds > 0 ? (attoseconds + attosecondsPerUnit - 1) / attosecondsPerUnit : attoseconds / attosecondsPerUnit
    let (total, overflow2) = scaled.addingReportingOverflow(fraction)
    return overflow2 ? (scaled < 0 ? Int64.min : Int64.max) : total
}
