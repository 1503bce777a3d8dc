using System.Globalization;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>Prints trace events for a person, one line each as they arrive.</summary>
internal sealed class ConsoleRenderer(TextWriter output, Colours? colours = null)
{
    private readonly Colours _colours = colours ?? Colours.None;

    /// <summary>The widest step name ("Connection handling").</summary>
    private const int StepWidth = 19;

    /// <summary>Detail lines start under the event's mark: offset (10), " ms  " (5), the step column and a space.</summary>
    private const int Indent = 10 + 5 + StepWidth + 1;

    public void Write(TraceEvent e)
    {
        var offset = e.Offset.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture).PadLeft(10);
        var mark = e.Kind switch
        {
            TraceEventKind.Started => _colours.Cyan("▶"),
            // The whole trace's closing event completes even when the trace failed: its mark says which.
            TraceEventKind.Completed when e.Details is TraceSummary { Succeeded: false } => _colours.Red("✗"),
            TraceEventKind.Completed => _colours.Green("✓"),
            TraceEventKind.Failed => _colours.Red("✗"),
            _ => " ",
        };
        var hop = HopPrefix(e.Hop);
        var stepName = $"{StepName(e.Step),-StepWidth}";
        var message = e.Kind == TraceEventKind.Failed ? _colours.Red(e.Message) : e.Message;
        output.WriteLine($"{_colours.Dim(offset + " ms")}  {hop}{(e.Kind == TraceEventKind.Detail ? stepName : _colours.Bold(stepName))} {mark} {message}");
        switch (e.Details)
        {
            case HttpRequestDetails request:
                output.WriteLine($"{"",Indent}{request.RequestLine}");
                foreach (var header in request.Headers)
                    output.WriteLine($"{"",Indent}{header.Name}: {header.Value}");
                break;
            case HttpResponseDetails response:
                output.WriteLine($"{"",Indent}{response.StatusLine}");
                foreach (var header in response.Headers)
                    output.WriteLine($"{"",Indent}{header.Name}: {header.Value}");
                break;
            case TlsHandshakeDetails tls:
                foreach (var (certificate, index) in tls.Certificates.Select((c, i) => (c, i)))
                    output.WriteLine($"{"",Indent}cert[{index}] {certificate.Subject} (issuer {certificate.Issuer}; {certificate.KeyType} {certificate.KeySize}; until {certificate.NotAfter:yyyy-MM-dd}; SANs {string.Join(", ", certificate.SubjectAlternativeNames.Take(6))})");
                foreach (var finding in tls.Findings)
                    output.WriteLine($"{"",Indent}{(finding.Severity == FindingSeverity.Error ? _colours.Red("!") : _colours.Yellow("!"))} {finding.Message}");
                break;
            case TraceSummary summary:
                foreach (var step in summary.Steps)
                {
                    output.WriteLine($"{"",Indent}{HopPrefix(step.Hop)}{StepName(step.Step),-StepWidth} starts {Format.Duration(step.Start),10}, takes {Format.Duration(step.Duration)}: " +
                                     $"{TimeSplitWords.Summary(step.Split)}{(step.Succeeded ? "" : " FAILED")}");
                    if (TimeSplitWords.ColdStart(step.Split) is { } cold)
                        output.WriteLine($"{"",Indent}  {cold}");
                }

                foreach (var interval in summary.Intervals)
                    output.WriteLine($"{"",Indent}{HopPrefix(interval.Hop)}{interval.Name,-StepWidth} starts {Format.Duration(interval.Start),10}, takes {Format.Duration(interval.Duration)}");
                output.WriteLine($"{"",Indent}{"in no step",-StepWidth} {Format.Duration(summary.Unaccounted)} of {Format.Duration(summary.Total)}");
                new StepPicture(output, _colours).Write(summary);

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
