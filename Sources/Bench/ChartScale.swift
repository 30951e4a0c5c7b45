import Glibc

/// A bar chart's value axis: linear from 0 with round ticks, or logarithmic over whole
/// decades when the values span more than `logThreshold`× (a reflink at 200 GiB/s
/// beside streaming copies at 1 GiB/s would otherwise leave the streaming bars at zero
/// width).
struct ChartScale: Equatable {
    var lower: Double
    var upper: Double
    var isLogarithmic: Bool

    static let logThreshold = 50.0

    init(lower: Double, upper: Double, isLogarithmic: Bool) {
        self.lower = lower
        self.upper = upper
        self.isLogarithmic = isLogarithmic
    }

    init(covering values: [Double]) {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let smallest = positive.min(), let largest = positive.max() else {
            self.init(lower: 0, upper: 1, isLogarithmic: false)
            return
        }
        if largest / smallest > Self.logThreshold {
            let low = pow(10, floor(log10(smallest)))
            var high = pow(10, ceil(log10(largest)))
            if high <= low { high = low * 10 }
            self.init(lower: low, upper: high, isLogarithmic: true)
        } else {
            let step = Self.roundStep(largest / 5)
            self.init(lower: 0, upper: (largest / step).rounded(.up) * step, isLogarithmic: false)
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func roundStep(_ rough: Double) -> Double {
        guard rough > 0 else { return 1 }
        let decade = pow(10, floor(log10(rough)))
        for factor in [1.0, 2, 5, 10] where decade * factor >= rough * (1 - 1e-12) {
            return decade * factor
        }
        return decade * 10
    }

    /// Where `value` falls, from 0 (lower) to 1 (upper), clamped.
    func fraction(_ value: Double) -> Double {
        guard value.isFinite, upper > lower else { return 0 }
        let f: Double
        if isLogarithmic {
            guard value > 0 else { return 0 }
            f = (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            f = (value - lower) / (upper - lower)
        }
        return min(1, max(0, f))
    }

    var ticks: [Double] {
        if isLogarithmic {
            var result: [Double] = []
            var tick = lower
            while tick <= upper * (1 + 1e-9) {
                result.append(tick)
                tick *= 10
            }
            return result
        }
        let step = Self.roundStep(upper / 5)
        return (0...Int((upper / step).rounded())).map { Double($0) * step }
    }
}
