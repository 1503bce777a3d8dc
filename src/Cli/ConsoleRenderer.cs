using System.Globalization;
using FlowTrace.Contracts.Events;
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
        var hop = e.Hop > 0 ? $"#{e.Hop} " : "";
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
                    var client = step.ClientProcessing is { } c ? $" (client processing {Format.Duration(c)})" : "";
                    output.WriteLine($"{"",34}{(step.Hop > 0 ? $"#{step.Hop} " : "")}{StepName(step.Step),-18} starts {Format.Duration(step.Start),10}, takes {Format.Duration(step.Duration)}{client}{(step.Succeeded ? "" : " FAILED")}");
                }

                break;
        }
    }

    public static string StepName(TraceStep step) => TraceStepNames.Of(step);
}
