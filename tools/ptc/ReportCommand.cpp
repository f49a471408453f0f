//===- ReportCommand.cpp - `ptc report`: training runs as pictures --------===//

#include "tools/ptc/ReportCommand.h"
#include "tools/ptc/ReportSvg.h"
#include "tools/ptc/RunLog.h"
#include "tools/ptc/WriteFile.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <string>
#include <vector>

namespace cl = llvm::cl;
using namespace ptc::report;

namespace {

int fail(const std::string &message) {
  llvm::errs() << "ptc report: " << message << "\n";
  return 1;
}

std::string cell(double value) { return "<td>" + formatValue(value) + "</td>"; }

/// A row of the HTML page's table: what a reader asks of a run first.
std::string summaryRow(const RunLog &run, size_t index) {
  std::vector<double> tokens;
  for (const auto &segment : run.of(Metric::TokensPerSecond))
    for (const Point &p : segment)
      tokens.push_back(p.value);
  double bestVal = 0;
  bool anyVal = false;
  for (const auto &segment : run.of(Metric::ValLoss))
    for (const Point &p : segment) {
      bestVal = anyVal ? std::min(bestVal, p.value) : p.value;
      anyVal = true;
    }
  const Series &loss = run.of(Metric::Loss);
  std::string row =
      "<tr><td><span style=\"color:" + std::string(runColour(index)) +
      "\">&#9632;</span> " + xmlEscape(run.name) + "</td><td>" +
      std::to_string(run.firstStep) + " to " + std::to_string(run.lastStep) +
      "</td>";
  row += loss.empty() || loss.back().empty() ? "<td></td>"
                                             : cell(loss.back().back().value);
  row += anyVal ? cell(bestVal) : "<td></td>";
  if (tokens.empty()) {
    row += "<td></td>";
  } else {
    std::nth_element(tokens.begin(), tokens.begin() + tokens.size() / 2,
                     tokens.end());
    row += cell(tokens[tokens.size() / 2]);
  }
  return row + "<td>" + std::to_string(run.checkpoints.size()) + "</td><td>" +
         std::to_string(run.restarts.size()) + "</td></tr>\n";
}

void writeHtml(const std::vector<RunLog> &runs, std::ostream &os) {
  std::string names;
  for (const RunLog &run : runs)
    names += (names.empty() ? "" : ", ") + xmlEscape(run.name);
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
     << "\n<title>ptc report: " << names << "</title>\n<style>\n"
     << "body { font-family: sans-serif; margin: 16px; }\n"
     << "table { border-collapse: collapse; margin-bottom: 16px; }\n"
     << "th, td { padding: 2px 10px; text-align: right; "
     << "border-bottom: 1px solid #dddddd; }\n"
     << "th:first-child, td:first-child { text-align: left; }\n"
     << "</style>\n</head>\n<body>\n<h1>ptc report</h1>\n<table>\n"
     << "<tr><th>log</th><th>steps</th><th>last loss</th>"
     << "<th>best validation loss</th><th>median tokens/s</th>"
     << "<th>checkpoints</th><th>restarts</th></tr>\n";
  for (size_t i = 0; i < runs.size(); ++i)
    os << summaryRow(runs[i], i);
  os << "</table>\n";
  writeReportSvg(runs, os);
  os << "</body>\n</html>\n";
}

} // namespace

int ptc::runReportCommand(int argc, char **argv) {
  cl::OptionCategory category("ptc report options");
  cl::list<std::string> logs(cl::Positional, cl::desc("<LOG.jsonl>..."),
                             cl::cat(category));
  cl::opt<std::string> output(
      "o", cl::desc("The picture (.svg) or a self-contained page (.html)"),
      cl::value_desc("OUT.svg|OUT.html"), cl::cat(category));
  cl::HideUnrelatedOptions(category);

  std::string name = "ptc report";
  std::vector<char *> args = {name.data()};
  for (int i = 2; i < argc; ++i)
    args.push_back(argv[i]);
  if (!cl::ParseCommandLineOptions(
          int(args.size()), args.data(),
          "ptc report: training runs' --log files as pictures\n\n"
          "  Loss, validation loss, learning rate, grad norm and tokens/s "
          "against step,\n  the runs overlaid, checkpoints and restarts "
          "marked (docs/report.md).\n",
          &llvm::errs()))
    return 1;
  if (logs.empty())
    return fail("give one or more --log files of compiled programs "
                "(LOG.jsonl...)");
  const llvm::StringRef out = output;
  const bool html = out.ends_with(".html") || out.ends_with(".htm");
  if (!html && !out.ends_with(".svg"))
    return fail(out.empty() ? "give the output file: -o OUT.svg or -o OUT.html"
                            : "-o '" + output +
                                  "': the name must end in "
                                  ".svg or .html");
  std::vector<RunLog> runs(logs.size());
  for (size_t i = 0; i < logs.size(); ++i)
    if (std::string error; !readRunLog(logs[i], runs[i], error))
      return fail(error);
  return writeFile("ptc report", output,
                   [&](std::ostream &os) {
                     if (html)
                       writeHtml(runs, os);
                     else
                       writeReportSvg(runs, os);
                   })
             ? 0
             : 1;
}
