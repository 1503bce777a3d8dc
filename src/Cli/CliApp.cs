using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using FlowTrace.Contracts.Lab;
using FlowTrace.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Cli;

/// <summary>The command line's main job, separate from Main so tests can run it with their own writers.</summary>
/// <param name="output">Where the trace is printed.</param>
/// <param name="error">Where errors and warnings are printed.</param>
/// <param name="tracerOptions">The tracer's options (tests narrow them), or the defaults.</param>
/// <param name="labOptions">The in-process lab's options for --lab, or free ports.</param>
/// <param name="terminal">True when <paramref name="output"/> is a terminal, where colours may be used.</param>
/// <param name="time">The clock the trace's start is read from (for the HAR's times).</param>
internal sealed class CliApp(TextWriter output, TextWriter error, TracerOptions? tracerOptions = null, LabOptions? labOptions = null, bool terminal = false, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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

        if (arguments.Version)
        {
            var version = Version();
            // The source revision after '+' is for bug reports, not for people.
            await output.WriteLineAsync($"flowtrace {version.Split('+')[0]}").ConfigureAwait(false);
            return 0;
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
                    lab = await DemoLab.StartAsync(labOptions ?? LabOptions.Ephemeral, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidOperationException e)
                {
                    await error.WriteLineAsync($"flowtrace: {e.Message}").ConfigureAwait(false);
                    return 2;
                }

                if (arguments.Url is null)
                {
                    // As lessons, as the page shows them: a heading with what to look for, then its sites.
                    var nameWidth = lab.Sites.Max(s => s.Name.Length);
                    var urlWidth = lab.Sites.Max(s => s.Url.Length);
                    foreach (var lesson in LabLessonGuide.InOrder.Where(l => lab.Sites.Any(s => s.Lesson == l)))
                    {
                        await output.WriteLineAsync($"{LabLessonGuide.Title(lesson)}: {LabLessonGuide.LookFor(lesson)}").ConfigureAwait(false);
                        foreach (var site in lab.Sites.Where(s => s.Lesson == lesson))
                            await output.WriteLineAsync($"  {site.Name.PadRight(nameWidth)}  {site.Url.PadRight(urlWidth)}  {site.Title}").ConfigureAwait(false);
                    }

                    return 0;
                }

                if (!arguments.Url.Contains("://", StringComparison.Ordinal) && lab.Sites.All(s => s.Name != arguments.Url))
                {
                    await error.WriteLineAsync($"flowtrace: the lab has no site '{arguments.Url}'. Its sites: {string.Join(", ", lab.Sites.Select(s => s.Name))} " +
                                               "(or give a URL; `flowtrace --lab` lists them with what each shows).").ConfigureAwait(false);
                    return 2;
                }
            }

            TraceRequest request;
            try
            {
                request = BuildRequest(arguments, lab);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                await error.WriteLineAsync($"flowtrace: --cacert: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync($"flowtrace: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            if (((arguments.WriteOut, arguments.Har, arguments.Store) is not (null, null, null) || arguments.Commands || arguments.Bytes) && arguments.Repeat > 1)
            {
                await error.WriteLineAsync("flowtrace: -w, --har, --store, --commands and --bytes take one trace; leave out --repeat.").ConfigureAwait(false);
                return 2;
            }

            // curl's variables describe one request and its redirects; a second request curl would not make has no place in them.
            if ((arguments.Again || arguments.AgainResumed) && arguments.WriteOut is not null)
            {
                await error.WriteLineAsync("flowtrace: -w describes one request as curl makes it; leave out --again and --again-resumed.").ConfigureAwait(false);
                return 2;
            }

            if (arguments.Again && arguments.AgainResumed)
            {
                await error.WriteLineAsync("flowtrace: --again and --again-resumed are two different second requests; choose one.").ConfigureAwait(false);
                return 2;
            }

            string? writeOut;
            try
            {
                writeOut = arguments.WriteOut is ['@', .. var file] ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : arguments.WriteOut;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"flowtrace: -w: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            var errors = TraceRequestValidator.Validate(request);
            if (errors.Count > 0)
            {
                await error.WriteLineAsync($"flowtrace: {string.Join(" ", errors)}").ConfigureAwait(false);
                return 2;
            }

            // The warm-up's events are replayed, unseen, through the very loop that prints the real trace (rendering,
            // serialising, awaiting), so that compiling it does not land in the first trace's numbers.
            var warmUpEvents = new List<TraceEvent>();
            var tracer = new FlowTracer((tracerOptions ?? new TracerOptions()) with { WarmUpObserver = warmUpEvents.Add });
            await tracer.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(Replay(warmUpEvents), TextWriter.Null, arguments, _ => { }, cancellationToken).ConfigureAwait(false);
            if (lab is not null)
            {
                // The lab runs in this process: one unseen request lets it compile its own server code now, so that its
                // first-use work does not slow the traced request (on two cores it competes with the tracer).
                await foreach (var unused in tracer.TraceAsync(request, cancellationToken).ConfigureAwait(false))
                {
                }
            }

            var events = new List<TraceEvent>();
            var colours = new Colours(Colours.Decide(!terminal, Environment.GetEnvironmentVariable("NO_COLOR"), Environment.GetEnvironmentVariable("TERM"), arguments.NoColor));
            var startedAt = _time.GetUtcNow();
            var summaries = await WriteAsync(tracer.RepeatAsync(request, arguments.Repeat, cancellationToken), arguments.Silent ? TextWriter.Null : output, arguments, events.Add, cancellationToken, colours).ConfigureAwait(false);
            var failed = summaries.FirstOrDefault(s => !s.Succeeded);
            var code = summaries.Count > 0 && failed is null ? 0 : failed?.Failure?.Code == StepFailureDetails.InvalidRequest ? 2 : 1;
            if (code != 0 && (!arguments.Silent || arguments.ShowError))
                await error.WriteLineAsync($"flowtrace: {failed?.Failure?.Reason ?? "the trace did not complete"}").ConfigureAwait(false);
            if (writeOut is not null)
                await output.WriteAsync(CurlWriteOut.From(events, code).Format(writeOut, error)).ConfigureAwait(false);
            return await ExportAsync(arguments, events, startedAt, cancellationToken).ConfigureAwait(false) ? code : Math.Max(code, 1);
        }
        finally
        {
            if (lab is not null)
                await lab.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// curl's --resolve HOST:PORT:ADDRESS for the URL's own host and port: the address to connect to, with SNI and Host
    /// from the URL (FlowTrace's --connect-to). An entry for another host or port is ignored, as curl ignores it, with a
    /// word on the error stream.
    /// </summary>
    private string? Resolved(IReadOnlyList<string> entries, string url)
    {
        if (entries.Count == 0 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return null;
        foreach (var entry in entries)
        {
            var parts = entry.Split(':', 3);
            if (parts.Length != 3 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
                throw new ArgumentException($"--resolve '{entry}' is not HOST:PORT:ADDRESS.");
            var address = parts[2].Trim('[', ']');
            if (!System.Net.IPAddress.TryParse(address, out var ip))
                throw new ArgumentException($"--resolve '{entry}': '{parts[2]}' is not an IP address.");
            if (string.Equals(parts[0], uri.IdnHost, StringComparison.OrdinalIgnoreCase) && port == uri.Port)
                return new System.Net.IPEndPoint(ip, port).ToString();
            error.WriteLine($"flowtrace: --resolve {parts[0]}:{parts[1]} is not the URL's host and port ({uri.IdnHost}:{uri.Port}); ignored, as curl does.");
        }

        return null;
    }

    /// <summary>Prints a trace (or each run and the statistics of a repeat) as it arrives; returns the runs' summaries.</summary>
    private static async Task<List<TraceSummary>> WriteAsync(IAsyncEnumerable<RepeatUpdate> updates, TextWriter writer, CliArguments arguments, Action<TraceEvent> keep, CancellationToken cancellationToken, Colours? colours = null)
    {
        var renderer = new ConsoleRenderer(writer, colours);
        var summaries = new List<TraceSummary>();
        var shownRun = 0;
        await foreach (var update in updates.ConfigureAwait(false))
        {
            if (update.Statistics is { } statistics)
            {
                if (arguments.Json)
                    await writer.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(statistics, TraceJson.TypeInfo<RepeatStatistics>())).ConfigureAwait(false);
                else
                    renderer.Write(statistics);
                continue;
            }

            var traceEvent = update.Event!;
            keep(traceEvent);
            if (update.Runs > 1 && !arguments.Json && update.Run != shownRun)
            {
                shownRun = update.Run;
                await writer.WriteLineAsync($"— run {update.Run} of {update.Runs} —").ConfigureAwait(false);
            }

            if (arguments.Json)
                await writer.WriteLineAsync(TraceJson.Serialize(traceEvent)).ConfigureAwait(false);
            else if (update.Runs == 1 || traceEvent.Details is TraceSummary)
                renderer.Write(traceEvent);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (traceEvent.Details is TraceSummary summary)
                summaries.Add(summary);
        }

        return summaries;
    }

    /// <summary>Events already at hand as a stream that yields between them, as a live trace does.</summary>
    private static string Version() =>
        typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    /// <summary>--har and --store, after the trace; false when one of them failed (said on standard error).</summary>
    private async Task<bool> ExportAsync(CliArguments arguments, IReadOnlyList<TraceEvent> events, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var ok = true;
        // Where a line for the reader goes: not into a JSON stream, not when asked to be silent.
        var say = arguments.Json || arguments.Silent ? error : output;
        if (arguments.Har is { } harFile)
        {
            try
            {
                await File.WriteAllTextAsync(harFile, Tracer.Export.HarExport.Write(events, startedAt, Version()), cancellationToken).ConfigureAwait(false);
                await say.WriteLineAsync($"HAR written to {harFile}").ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"flowtrace: --har: {e.Message}").ConfigureAwait(false);
                ok = false;
            }
        }

        if (arguments.Bytes)
        {
            foreach (var query in events.Select(e => e.Details).OfType<DnsQueryDetails>())
            {
                if (query is { Query: { } sent, QueryFields: { } asked })
                    foreach (var line in Tracer.Export.ByteFieldText.Lines($"DNS query {query.QueryType} {query.Name} to {query.Resolver}", sent, asked))
                        await say.WriteLineAsync(line).ConfigureAwait(false);
                if (query is { Answer: { } received, AnswerFields: { } answered })
                    foreach (var line in Tracer.Export.ByteFieldText.Lines($"DNS answer {query.QueryType} {query.Name} from {query.Resolver}", received, answered))
                        await say.WriteLineAsync(line).ConfigureAwait(false);
            }

            foreach (var request in events.Select(e => e.Details).OfType<HttpRequestDetails>())
            {
                // HTTP/2's request is frames (the preface and SETTINGS first, on a new connection), not a text head.
                if (request is { Wire: { } wire, WireFields: { } wireFields })
                {
                    foreach (var line in Tracer.Export.ByteFieldText.Lines("HTTP/2 frames of the request", wire, wireFields))
                        await say.WriteLineAsync(line).ConfigureAwait(false);
                    continue;
                }

                var (head, fields) = Contracts.Bytes.RequestHeadFields.Of(request);
                foreach (var line in Tracer.Export.ByteFieldText.Lines("Request head", head, fields))
                    await say.WriteLineAsync(line).ConfigureAwait(false);
            }

            var hellos = events.Select(e => e.Details).OfType<TlsHandshakeDetails>().ToList();
            if (hellos.Count == 0)
                await say.WriteLineAsync("# --bytes: no TLS handshake completed, there are no hellos to show").ConfigureAwait(false);
            foreach (var tls in hellos)
            {
                foreach (var line in Tracer.Export.ByteFieldText.Lines("ClientHello", tls.ClientHello, tls.ClientHelloFields ?? []))
                    await say.WriteLineAsync(line).ConfigureAwait(false);
                foreach (var line in Tracer.Export.ByteFieldText.Lines(tls.HelloRetryGroup is null ? "ServerHello" : "HelloRetryRequest", tls.ServerHello, tls.ServerHelloFields ?? []))
                    await say.WriteLineAsync(line).ConfigureAwait(false);
            }
        }

        if (arguments.Commands)
        {
            var curl = Tracer.Export.ReproduceCommands.Curl(events, arguments.CaCertificates.FirstOrDefault());
            var openssl = Tracer.Export.ReproduceCommands.Openssl(events);
            await say.WriteLineAsync(curl is null ? "# curl: the trace never connected, there is nothing to repeat" : curl.Text).ConfigureAwait(false);
            if (curl?.Note is { } note)
                await say.WriteLineAsync($"# {note}").ConfigureAwait(false);
            if (openssl is not null)
                await say.WriteLineAsync(openssl.Text).ConfigureAwait(false);
        }

        if (arguments.Store is { } server)
        {
            var stored = await TraceStoreClient.StoreAsync(server, events, cancellationToken).ConfigureAwait(false);
            if (stored.Permalink is { } permalink)
                await say.WriteLineAsync($"Stored: {permalink}").ConfigureAwait(false);
            else
            {
                await error.WriteLineAsync($"flowtrace: --store: {stored.Error}").ConfigureAwait(false);
                ok = false;
            }
        }

        return ok;
    }

    private static async IAsyncEnumerable<RepeatUpdate> Replay(IReadOnlyList<TraceEvent> events)
    {
        foreach (var traceEvent in events)
        {
            await Task.Yield();
            yield return new RepeatUpdate(1, 1, traceEvent, null);
        }
    }

    /// <summary>The certificates of a PEM file (one or more), or of a DER file (one), as DER.</summary>
    private static IEnumerable<byte[]> ReadCertificates(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length > 0 && bytes[0] == 0x30)
            return [System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(bytes).RawData];
        try
        {
            return FlowTrace.Tracer.Tls.TrustedRoots.FromPem(System.Text.Encoding.ASCII.GetString(bytes));
        }
        catch (FormatException e)
        {
            throw new System.Security.Cryptography.CryptographicException($"{path}: {e.Message}", e);
        }
    }

    private TraceRequest BuildRequest(CliArguments arguments, DemoLab? lab)
    {
        var url = arguments.Url!;
        if (lab is not null && !url.Contains("://", StringComparison.Ordinal) && lab.Sites.FirstOrDefault(s => s.Name == url) is { } site)
            url = site.Url;
        var request = new TraceRequest { Url = url };
        return HttpVersions.Apply(request with
        {
            Method = arguments.Method,
            Headers = arguments.Headers,
            DnsServer = arguments.DnsServer ?? lab?.DnsEndPoint.ToString(),
            DnsServerZones = arguments.DnsServer is null && lab is not null ? [lab.Zone] : [],
            AddressFamily = arguments.Family,
            Sni = arguments.Sni,
            SniName = arguments.SniName,
            ConnectTo = arguments.ConnectTo ?? Resolved(arguments.Resolve, url),
            Timeouts = arguments.MaxTime is { } maxTime ? request.Timeouts with { Total = maxTime } : request.Timeouts,
            FollowRedirects = !arguments.NoRedirects,
            AgainOnSameConnection = arguments.Again,
            AgainResumingSession = arguments.AgainResumed,
            ResolveFromRoot = arguments.FromRoot,
            // Lab names are walked down from the lab's own root; others from the root hints file.
            RootServers = arguments.FromRoot && arguments.DnsServer is null ? lab?.RootServerAddresses : null,
            // An array, the collection the warm-up's requests hold too: another list type would be compiled mid-trace.
            ExtraTrustedRoots = (lab is not null ? [lab.CaCertificate] : Array.Empty<byte[]>()).Concat(arguments.CaCertificates.SelectMany(ReadCertificates)).ToArray(),
        }, arguments.HttpVersion);
    }
}
