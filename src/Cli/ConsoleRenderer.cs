using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>Prints trace events for a person, one line each as they arrive.</summary>
internal sealed class ConsoleRenderer(TextWriter output)
{
    public void Write(TraceEvent e)
    {
        var offset = e.Offset.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(10);
        var mark = e.Kind switch
        {
            TraceEventKind.Started => "▶",
            TraceEventKind.Completed => "✓",
            TraceEventKind.Failed => "✗",
            _ => " ",
        };
        var hop = HopPrefix(e.Hop);
        output.WriteLine($"{offset} ms  {hop}{StepName(e.Step),-18} {mark} {e.Message}");
        switch (e.Details)
        {
            case HttpRequestDetails request:
                output.WriteLine($"{"",34}{request.RequestLine}");
                foreach (var header in request.Headers)
                    output.WriteLine($"{"",34}{header.Name}: {header.Value}");
                break;
            case HttpResponseDetails response:
                output.WriteLine($"{"",34}{response.StatusLine}");
                foreach (var header in response.Headers)
                    output.WriteLine($"{"",34}{header.Name}: {header.Value}");
                break;
            case TlsHandshakeDetails tls:
                foreach (var (certificate, index) in tls.Certificates.Select((c, i) => (c, i)))
                    output.WriteLine($"{"",34}cert[{index}] {certificate.Subject} (issuer {certificate.Issuer}; {certificate.KeyType} {certificate.KeySize}; until {certificate.NotAfter:yyyy-MM-dd}; SANs {string.Join(", ", certificate.SubjectAlternativeNames.Take(6))})");
                foreach (var finding in tls.Findings)
                    output.WriteLine($"{"",34}! {finding.Message}");
                break;
            case TraceSummary summary:
                foreach (var step in summary.Steps)
                {
                    output.WriteLine($"{"",34}{HopPrefix(step.Hop)}{StepName(step.Step),-18} starts {Format.Duration(step.Start),10}, takes {Format.Duration(step.Duration)}: " +
                                     $"{TimeSplitWords.Summary(step.Split)}{(step.Succeeded ? "" : " FAILED")}");
                    if (TimeSplitWords.ColdStart(step.Split) is { } cold)
                        output.WriteLine($"{"",34}  {cold}");
                }

                foreach (var interval in summary.Intervals)
                    output.WriteLine($"{"",34}{HopPrefix(interval.Hop)}{interval.Name,-18} starts {Format.Duration(interval.Start),10}, takes {Format.Duration(interval.Duration)}");
                output.WriteLine($"{"",34}{"in no step",-18} {Format.Duration(summary.Unaccounted)} of {Format.Duration(summary.Total)}");

                break;
        }
    }

    /// <summary>Prints the statistics of repeated runs: per step the first run beside the others.</summary>
    public void Write(RepeatStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        output.WriteLine();
        output.WriteLine($"{statistics.Runs} runs, {statistics.Succeeded} completed; first run beside the other {statistics.Runs - 1}:");
        output.WriteLine($"{"step",-22}{"first",12}{"median",12}{"p95",12}{"min",12}{"max",12}   client: first / median");
        foreach (var step in statistics.Steps)
            Row($"{HopPrefix(step.Hop)}{StepName(step.Step)}", step.Duration, step.Client);
        Row("whole trace", statistics.Total, statistics.Client);
    }

    private void Row(string name, DurationStatistics duration, DurationStatistics client) =>
        output.WriteLine($"{name,-22}{Format.Duration(duration.First),12}{Maybe(duration.Median),12}{Maybe(duration.P95),12}{Maybe(duration.Min),12}{Maybe(duration.Max),12}" +
                         $"   {Format.Duration(client.First)} / {Maybe(client.Median)}");

    private static string Maybe(TimeSpan? value) => value is { } v ? Format.Duration(v) : "—";

    public static string StepName(TraceStep step) => TraceStepNames.Of(step);

    /// <summary>"#2 " before what belongs to a redirect hop; nothing for the first request.</summary>
    private static string HopPrefix(int hop) => hop > 0 ? $"#{hop} " : "";
}
