using FlowTrace.Contracts.Events;
using FlowTrace.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>The command line's main job, separate from Main so tests can run it with their own writers.</summary>
internal sealed class CliApp(TextWriter output, TextWriter error, TracerOptions? tracerOptions = null, LabOptions? labOptions = null)
{
    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "sni")
            return await new SniCommand(output, error, tracerOptions, labOptions).RunAsync(args[1..], cancellationToken).ConfigureAwait(false);
        CliArguments arguments;
        try
        {
            arguments = CliArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"flowtrace: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        if (arguments.Help || (arguments.Url is null && !arguments.Lab))
        {
            await (arguments.Help ? output : error).WriteLineAsync(CliArguments.Usage).ConfigureAwait(false);
            return arguments.Help ? 0 : 2;
        }

        DemoLab? lab = null;
        try
        {
            if (arguments.Lab)
            {
                try
                {
                    lab = await DemoLab.StartAsync(labOptions, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    await error.WriteLineAsync($"flowtrace: {e.Message}").ConfigureAwait(false);
                    return 2;
                }

                if (arguments.Url is null)
                {
                    foreach (var site in lab.Sites)
                        await output.WriteLineAsync($"{site.Name,-12} {site.Url,-45} {site.Title}").ConfigureAwait(false);
                    return 0;
                }
            }

            var request = BuildRequest(arguments, lab);
            var errors = TraceRequestValidator.Validate(request);
            if (errors.Count > 0)
            {
                await error.WriteLineAsync($"flowtrace: {string.Join(" ", errors)}").ConfigureAwait(false);
                return 2;
            }

            var tracer = new FlowTracer(tracerOptions);
            var renderer = new ConsoleRenderer(output);
            TraceSummary? summary = null;
            await foreach (var traceEvent in tracer.TraceAsync(request, cancellationToken).ConfigureAwait(false))
            {
                if (arguments.Json)
                    await output.WriteLineAsync(TraceJson.Serialize(traceEvent)).ConfigureAwait(false);
                else
                    renderer.Write(traceEvent);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                summary = traceEvent.Details as TraceSummary ?? summary;
            }

            if (summary is { Succeeded: true })
                return 0;
            await error.WriteLineAsync($"flowtrace: {summary?.Failure?.Reason ?? "the trace did not complete"}").ConfigureAwait(false);
            return summary?.Failure?.Code == "invalid-request" ? 2 : 1;
        }
        finally
        {
            if (lab is not null)
                await lab.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TraceRequest BuildRequest(CliArguments arguments, DemoLab? lab)
    {
        var url = arguments.Url!;
        if (lab is not null && !url.Contains("://", StringComparison.Ordinal) && lab.Sites.FirstOrDefault(s => s.Name == url) is { } site)
            url = site.Url;
        return new TraceRequest
        {
            Url = url,
            Method = arguments.Method,
            Headers = arguments.Headers,
            DnsServer = arguments.DnsServer ?? lab?.DnsEndPoint.ToString(),
            DnsServerZones = arguments.DnsServer is null && lab is not null ? [lab.Zone] : [],
            AddressFamily = arguments.Family,
            Sni = arguments.Sni,
            SniName = arguments.SniName,
            ConnectTo = arguments.ConnectTo,
            FollowRedirects = !arguments.NoRedirects,
            ExtraTrustedRoots = lab is not null ? [lab.CaCertificate] : [],
        };
    }
}
