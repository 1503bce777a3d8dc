using FlowTrace.Contracts.Events;
using FlowTrace.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Bench.Suites;

/// <summary>"The trace adds up": how much of each trace's wall time lies in a step or a named interval, over every lab site.</summary>
public static class AccountingSuite
{
    /// <param name="tracesPerSite">Traces of each site.</param>
    /// <param name="siteLimit">Trace only the first this many sites (smoke runs: some hostile sites wait out timeouts).</param>
    public static async Task<SuiteResult> RunAsync(int tracesPerSite, int? siteLimit = null)
    {
        await using var lab = await DemoLab.StartAsync(LabOptions.Ephemeral);
        var tracer = new FlowTracer();
        await tracer.WarmUpAsync();
        var covered = new List<(string Site, double Share, double UnaccountedUs, bool WithinGoal)>();
        var sites = lab.Sites.Take(siteLimit ?? int.MaxValue).ToList();
        foreach (var site in sites)
        {
            var request = new TraceRequest { Url = site.Url, DnsServer = lab.DnsEndPoint.ToString(), ExtraTrustedRoots = [lab.CaCertificate] };
            for (var i = 0; i < tracesPerSite; i++)
            {
                TraceSummary? summary = null;
                // Failing sites are part of the lab on purpose: a failed trace must add up too.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await foreach (var e in tracer.TraceAsync(request, timeout.Token))
                    summary = e.Details as TraceSummary ?? summary;
                var total = summary!.Total.TotalMicroseconds;
                var unaccounted = summary.Unaccounted.TotalMicroseconds;
                covered.Add((site.Name, total > 0 ? 1 - unaccounted / total : 1, unaccounted, unaccounted <= Math.Max(0.01 * total, 50)));
            }
        }

        var worst = covered.MinBy(c => c.Share);
        var within = covered.Count(c => c.WithinGoal);
        List<Figure> figures =
        [
            new("traces whose steps and named intervals cover the total", 100.0 * within / covered.Count, "%", 100, within / (double)covered.Count,
                "100% (unaccounted ≤ 1% or 50 µs)", within == covered.Count),
            new($"lowest share of wall time covered (site {worst.Site})", 100 * worst.Share, "%", 100, worst.Share, "context", null),
            new("unaccounted time per trace: median", Stats.Median(covered.Select(c => c.UnaccountedUs)), "µs", null, null, "context", null),
            new("unaccounted time per trace: max", covered.Max(c => c.UnaccountedUs), "µs", null, null, "context", null),
        ];
        List<string> notes =
        [
            sites.Count == lab.Sites.Count
                ? $"Every lab site ({sites.Count}, failing and hostile ones included) traced {tracesPerSite} time(s) in a warm process."
                : $"The first {sites.Count} of {lab.Sites.Count} lab sites traced {tracesPerSite} time(s) in a warm process.",
            "Covered: the union of the trace's steps and its named intervals (step-mode pauses, redirects, finishing); unaccounted: the rest of the trace's total, as its summary reports it.",
        ];
        return new SuiteResult("accounting", $"{sites.Count} lab sites × {tracesPerSite}", figures, notes);
    }
}
