import Glibc
import Synchronization

/// A one-line progress bar (bytes, rate, ETA) redrawn on the terminal at most ten times
/// a second, only for copies that have run over a second, and never when stdout is
/// not a terminal.
final class ProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    private let total: UInt64
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    init(total: UInt64, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ bytes: UInt64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let elapsed = now - start
        guard elapsed >= .seconds(1) else { return }
        let draw = state.withLock { state -> Bool in
            if let last = state.lastDraw, now - last < .milliseconds(100) { return false }
            state.lastDraw = now
            state.drawn = true
            return true
        }
        if draw { render(bytes, elapsed: elapsed) }
    }

    /// Ends the line if a bar was drawn.
    func finish() {
        if state.withLock({ $0.drawn }) { Output.write("\n", to: STDOUT_FILENO) }
    }

    private func render(_ bytes: UInt64, elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(bytes) / seconds : 0
        let fraction = total > 0 ? min(1, Double(bytes) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        var eta = "--:--"
        if rate > 0, total >= bytes {
            let left = Int(Double(total - bytes) / rate)
            eta = "\(left / 60):" + (left % 60 < 10 ? "0" : "") + "\(left % 60)"
        }
        let percent = Int(fraction * 100)
        let line = "\r[\(bar)] \(percent)%  \(humanBytes(Double(bytes))) / \(humanBytes(Double(total)))  \(humanBytes(rate))/s  ETA \(eta)  "
        Output.write(line, to: STDOUT_FILENO)
    }
}
