import Bench
import Glibc
import Synchronization

/// The bench's progress on a terminal: one line on stderr, redrawn at most ten times a
/// second, naming the case and run and, for a backend, how far the copy is. Nothing is
/// drawn when stderr is not a terminal, and the line is cleared before the results.
final class BenchProgressLine: BenchObserver, Sendable {
    private struct State {
        var prefix = ""
        var total: UInt64 = 0
        var started = ContinuousClock.now
        var lastDraw: ContinuousClock.Instant?
        var drawn = false
    }

    private let enabled: Bool
    private let state = Mutex(State())

    init(enabled: Bool) { self.enabled = enabled }

    func runStarting(_ benchCase: BenchCase, run: Int, of runs: Int, bytes: UInt64) {
        guard enabled else { return }
        let prefix = "bench: \(benchCase.label), " + (run == 0 ? "warm-up" : "run \(run) of \(runs)")
        let line = state.withLock { state -> String in
            state.prefix = prefix
            state.total = bytes
            state.started = .now
            state.lastDraw = .now
            state.drawn = true
            return prefix
        }
        draw(line)
    }

    var copied: @Sendable (UInt64) -> Void {
        { [self] bytes in
            guard enabled else { return }
            let now = ContinuousClock.now
            let line = state.withLock { state -> String? in
                if let last = state.lastDraw, now - last < .milliseconds(100) { return nil }
                state.lastDraw = now
                let percent = state.total > 0 ? Int(min(100, Double(bytes) * 100 / Double(state.total))) : 0
                let elapsed = now - state.started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = seconds > 0 ? "  \(humanBytes(Double(bytes) / seconds))/s" : ""
                return "\(state.prefix)  \(percent)%\(rate)"
            }
            if let line { draw(line) }
        }
    }

    /// Removes the line, so the table starts on a clean one.
    func clear() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        Output.write("\r\u{1B}[K", to: STDERR_FILENO)
    }

    private func draw(_ line: String) {
        Output.write("\r\u{1B}[K" + line, to: STDERR_FILENO)
    }
}
