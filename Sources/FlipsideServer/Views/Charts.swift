import FlipsideCore
import Foundation

/// Charts drawn on the server as SVG: no JavaScript, each with a title and a description (and the page
/// shows the same figures as a table).
enum Charts {
    struct Step {
        var time: Double
        var survival: Double
        var lower: Double
        var upper: Double
    }

    struct Series {
        var name: String
        var colour: String
        var dash: String?
        var steps: [Step]
    }

    /// Retention curves (steps) with their 95 % bands, from day 0 to `days`, retention from `floor` to 1.
    static func retention(_ series: [Series], days: Double, title: String, description: String) -> String {
        let width = 640.0, height = 320.0, left = 56.0, right = 16.0, top = 16.0, bottom = 40.0
        // The y axis starts at the lowest band rounded down to 10 %, and never above 80 % (when everyone
        // stayed, the axis still has a range).
        let floor = min(0.8, max(0, ((series.flatMap { $0.steps.map(\.lower) }.min() ?? 0) * 10).rounded(.down) / 10))
        let days = max(days, 1)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ d: Double) -> Double { left + plotW * min(d, days) / max(days, 1) }
        func y(_ s: Double) -> Double { top + plotH * (1 - (s - floor) / max(1 - floor, 0.01)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="chart-title chart-desc" class="chart">
        <title id="chart-title">\(escape(title))</title><desc id="chart-desc">\(escape(description))</desc>
        """
        // Axes and grid.
        for tick in stride(from: floor, through: 1.0001, by: (1 - floor) / 4) {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(tick)))\" y2=\"\(f(y(tick)))\" stroke=\"#d0d4da\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"#333\">\(Int((tick * 100).rounded())) %</text>"
        }
        let dayStep = days > 540 ? 180.0 : days > 180 ? 90.0 : 30.0
        for tick in stride(from: 0, through: days, by: dayStep) {
            svg += "<text x=\"\(f(x(tick)))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">\(Int(tick))</text>"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">days since the program started</text>"
        for s in series where !s.steps.isEmpty {
            // The band: upper edge forwards, lower edge back.
            var upper = "", lower = ""
            for (i, step) in s.steps.enumerated() {
                let end = i + 1 < s.steps.count ? s.steps[i + 1].time : max(step.time, days)
                upper += "\(f(x(step.time))),\(f(y(step.upper))) \(f(x(end))),\(f(y(step.upper))) "
                lower = "\(f(x(end))),\(f(y(step.lower))) \(f(x(step.time))),\(f(y(step.lower))) " + lower
            }
            svg += "<polygon points=\"\(upper)\(lower)\" fill=\"\(s.colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            var line = ""
            for (i, step) in s.steps.enumerated() {
                let end = i + 1 < s.steps.count ? s.steps[i + 1].time : max(step.time, days)
                line += "\(f(x(step.time))),\(f(y(step.survival))) \(f(x(end))),\(f(y(step.survival))) "
            }
            svg += "<polyline points=\"\(line)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2.5\"\(s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")><title>\(escape(s.name))</title></polyline>"
        }
        // Legend.
        for (i, s) in series.enumerated() {
            let ly = top + 14 + Double(i) * 18
            svg += "<line x1=\"\(f(width - right - 190))\" x2=\"\(f(width - right - 166))\" y1=\"\(f(ly - 4))\" y2=\"\(f(ly - 4))\" stroke=\"\(s.colour)\" stroke-width=\"2.5\"\(s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>"
            svg += "<text x=\"\(f(width - right - 160))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"#222\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
