//===- ReportSvg.cpp - `ptc report`'s pictures of training runs -----------===//

#include "tools/ptc/ReportSvg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>

using namespace ptc::report;

namespace {

// Page geometry, in pixels.
constexpr double kWidth = 760, kLeft = 72, kRight = 20;
constexpr double kPanelTitle = 22, kPlotHeight = 130, kTickRoom = 30;
constexpr double kPlotWidth = kWidth - kLeft - kRight;

std::string px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

/// An axis with ticks every `step` (1, 2 or 5 times a power of ten, about
/// four of them). A value axis ends on ticks; the step axis ends at the
/// first and last step, so that the curves use the whole width.
struct Axis {
  double lo, hi, step, first;
  Axis(double min, double max, bool steps) {
    if (!(max > min)) { // one value: a band around it
      const double pad = std::max(std::abs(min) * 0.1, steps ? 1.0 : 1e-12);
      min -= steps ? 0 : pad;
      max += pad;
    }
    const double raw = (max - min) / 4;
    const double mag = std::pow(10, std::floor(std::log10(raw)));
    const double f = raw / mag;
    step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    if (steps)
      step = std::max(step, 1.0);
    lo = steps ? min : std::floor(min / step) * step;
    hi = steps ? max : std::ceil(max / step) * step;
    first = std::ceil(lo / step - 1e-9) * step;
  }
  int ticks() const { return int(std::floor((hi - first) / step + 1e-9)); }
  /// Tick `i`, 0 where rounding leaves a crumb of it (1e-17).
  double tick(int i) const {
    const double v = first + i * step;
    return std::abs(v) < step * 1e-9 ? 0 : v;
  }
  double at(double v, double from, double to) const {
    return from + (v - lo) / (hi - lo) * (to - from);
  }
};

/// The points of a segment worth drawing at this width: long segments
/// keep each pixel column's first, lowest, highest and last point, so a
/// run of 100,000 steps stays a small file with its spikes.
std::vector<Point> thin(const std::vector<Point> &points, const Axis &x) {
  if (points.size() <= size_t(2 * kPlotWidth))
    return points;
  std::vector<Point> out;
  for (size_t i = 0; i < points.size();) {
    const long column = std::lround(x.at(points[i].step, 0, kPlotWidth));
    size_t end = i, low = i, high = i;
    for (; end < points.size() &&
           std::lround(x.at(points[end].step, 0, kPlotWidth)) == column;
         ++end) {
      low = points[end].value < points[low].value ? end : low;
      high = points[end].value > points[high].value ? end : high;
    }
    for (size_t k : std::set<size_t>{i, low, high, end - 1})
      out.push_back(points[k]);
    i = end;
  }
  return out;
}

/// The point of the curve at `step`, between the points around it (the
/// latest segment that spans the step: the run as resumed); none where no
/// segment spans it (a validation curve before its first validation).
std::optional<Point> onCurve(const Series &series, double step) {
  for (auto segment = series.rbegin(); segment != series.rend(); ++segment) {
    if (segment->empty() || step < segment->front().step ||
        step > segment->back().step)
      continue;
    auto after =
        std::lower_bound(segment->begin(), segment->end(), step,
                         [](const Point &p, double s) { return p.step < s; });
    if (after->step == step || after == segment->begin())
      return *after;
    const Point &before = *(after - 1);
    const double t = (step - before.step) / (after->step - before.step);
    return Point{step, before.value + t * (after->value - before.value)};
  }
  return std::nullopt;
}

void writePanel(const std::vector<RunLog> &runs, Metric metric, const Axis &x,
                double top, std::ostream &os) {
  double min = std::numeric_limits<double>::infinity(), max = -min;
  for (const RunLog &run : runs)
    for (const auto &segment : run.of(metric))
      for (const Point &p : segment)
        if (std::isfinite(p.value)) {
          min = std::min(min, p.value);
          max = std::max(max, p.value);
        }
  const Axis y(min, max, false);
  const double y0 = top + kPanelTitle, y1 = y0 + kPlotHeight;
  const double x1 = kLeft + kPlotWidth;
  os << "<g class=\"panel\">\n<text x=\"" << kLeft << "\" y=\"" << px(top + 15)
     << "\" font-size=\"13\" font-weight=\"bold\">" << metricTitle(metric)
     << "</text>\n<rect x=\"" << kLeft << "\" y=\"" << y0 << "\" width=\""
     << kPlotWidth << "\" height=\"" << kPlotHeight
     << "\" fill=\"none\" stroke=\"#999999\"/>\n";
  for (int i = 0; i <= y.ticks(); ++i) {
    const double v = y.tick(i), py = y.at(v, y1, y0);
    os << "<line x1=\"" << kLeft << "\" y1=\"" << px(py) << "\" x2=\"" << x1
       << "\" y2=\"" << px(py) << "\" stroke=\"#eeeeee\"/><text x=\""
       << kLeft - 6 << "\" y=\"" << px(py + 4) << "\" text-anchor=\"end\">"
       << formatValue(v) << "</text>\n";
  }
  for (int i = 0; i <= x.ticks(); ++i)
    os << "<text x=\"" << px(x.at(x.tick(i), kLeft, x1)) << "\" y=\""
       << px(y1 + 14) << "\" text-anchor=\"middle\">" << formatValue(x.tick(i))
       << "</text>\n";
  os << "<text x=\"" << x1 << "\" y=\"" << px(y1 + 26)
     << "\" text-anchor=\"end\">step</text>\n";
  for (size_t r = 0; r < runs.size(); ++r) {
    const RunLog &run = runs[r];
    const std::string tip = xmlEscape(run.name) + ": ";
    for (const auto &segment : run.of(metric)) {
      if (segment.empty()) // a segment where this metric had no value
        continue;
      os << "<polyline class=\"run" << r << "\" fill=\"none\" stroke=\""
         << runColour(r) << "\" stroke-width=\"1.5\" points=\"";
      const char *sep = "";
      for (const Point &p : thin(segment, x))
        if (std::isfinite(p.value)) {
          os << sep << px(x.at(p.step, kLeft, x1)) << ","
             << px(y.at(p.value, y1, y0));
          sep = " ";
        }
      os << "\"><title>" << tip << metricTitle(metric)
         << "</title></polyline>\n";
      if (segment.size() == 1) // a polyline of one point shows nothing
        os << "<circle class=\"run" << r << "\" cx=\""
           << px(x.at(segment[0].step, kLeft, x1)) << "\" cy=\""
           << px(y.at(segment[0].value, y1, y0)) << "\" r=\"2\" fill=\""
           << runColour(r) << "\"/>\n";
    }
    for (int64_t step : run.checkpoints)
      if (std::optional<Point> p = onCurve(run.of(metric), double(step)))
        os << "<circle class=\"checkpoint\" cx=\""
           << px(x.at(p->step, kLeft, x1)) << "\" cy=\""
           << px(y.at(p->value, y1, y0)) << "\" r=\"3.5\" fill=\"white\" "
           << "stroke=\"" << runColour(r) << "\" stroke-width=\"1.5\"><title>"
           << tip << "checkpoint at step " << step << "</title></circle>\n";
    for (int64_t step : run.restarts) {
      const double sx = x.at(double(step), kLeft, x1);
      os << "<g class=\"restart\"><title>" << tip << "restart at step " << step
         << "</title><line x1=\"" << px(sx) << "\" y1=\"" << y0 << "\" x2=\""
         << px(sx) << "\" y2=\"" << y1 << "\" stroke=\"" << runColour(r)
         << "\" stroke-dasharray=\"4 3\"/>";
      // The triangle sits on the curve, above the step.
      if (std::optional<Point> p = onCurve(run.of(metric), double(step)))
        os << "<path d=\"M" << px(x.at(p->step, kLeft, x1) - 5) << " "
           << px(y.at(p->value, y1, y0) - 9) << " h10 l-5 8 z\" fill=\""
           << runColour(r) << "\"/>";
      os << "</g>\n";
    }
  }
  os << "</g>\n";
}

} // namespace

std::string ptc::report::xmlEscape(const std::string &text) {
  std::string out;
  for (char c : text)
    out += c == '&'   ? "&amp;"
           : c == '<' ? "&lt;"
           : c == '>' ? "&gt;"
           : c == '"' ? "&quot;"
                      : std::string(1, c);
  return out;
}

const char *ptc::report::runColour(size_t index) {
  static const char *colours[] = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b",
                                  "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
                                  "#9c755f", "#bab0ac"};
  return colours[index % 10];
}

std::string ptc::report::formatValue(double value) {
  char buf[32];
  const double a = std::abs(value);
  if (a >= 1e6)
    std::snprintf(buf, sizeof(buf), "%.4gM", value / 1e6);
  else if (a >= 1e4)
    std::snprintf(buf, sizeof(buf), "%.4gk", value / 1e3);
  else
    std::snprintf(buf, sizeof(buf), "%.4g",
                  std::abs(value) < 1e-300 ? 0 : value);
  return buf;
}

void ptc::report::writeReportSvg(const std::vector<RunLog> &runs,
                                 std::ostream &os) {
  double first = std::numeric_limits<double>::infinity(), last = -first;
  for (const RunLog &run : runs) {
    first = std::min(first, double(run.firstStep));
    last = std::max(last, double(run.lastStep));
    for (const Series &series : run.series)
      for (const auto &segment : series)
        for (const Point &p : segment) {
          first = std::min(first, p.step);
          last = std::max(last, p.step);
        }
  }
  const Axis x(first, last, true);
  // The legend: a row per run, then what the markers mean.
  double top = 30 + 18 * double(runs.size() + 1);
  std::vector<Metric> panels;
  for (int m = 0; m < kNumMetrics; ++m)
    for (const RunLog &run : runs)
      if (!run.series[m].empty()) {
        panels.push_back(Metric(m));
        break;
      }
  const double panel = kPanelTitle + kPlotHeight + kTickRoom;
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
     << "\" height=\"" << px(top + panel * double(panels.size()) + 10)
     << "\" font-family=\"sans-serif\" font-size=\"10\">\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
     << "<text x=\"8\" y=\"18\" font-size=\"14\">ptc report: " << runs.size()
     << (runs.size() == 1 ? " run" : " runs") << ", steps " << int64_t(first)
     << " to " << int64_t(last) << "</text>\n";
  for (size_t r = 0; r < runs.size(); ++r) {
    const double ly = 38 + 18 * double(r);
    os << "<line x1=\"8\" y1=\"" << ly - 4 << "\" x2=\"32\" y2=\"" << ly - 4
       << "\" stroke=\"" << runColour(r) << "\" stroke-width=\"3\"/>"
       << "<text class=\"legend\" x=\"38\" y=\"" << ly << "\">"
       << xmlEscape(runs[r].name) << "</text>\n";
  }
  const double ly = 38 + 18 * double(runs.size());
  os << "<circle cx=\"14\" cy=\"" << ly - 4 << "\" r=\"3.5\" fill=\"white\" "
     << "stroke=\"black\"/><text x=\"22\" y=\"" << ly << "\">checkpoint</text>"
     << "<line x1=\"100\" y1=\"" << ly - 10 << "\" x2=\"100\" y2=\"" << ly + 2
     << "\" stroke=\"black\" stroke-dasharray=\"4 3\"/><text x=\"106\" y=\""
     << ly << "\">restart</text>\n";
  for (Metric metric : panels) {
    writePanel(runs, metric, x, top, os);
    top += panel;
  }
  os << "</svg>\n";
}
