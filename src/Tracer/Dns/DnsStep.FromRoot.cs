using System.Net;
using System.Net.Sockets;
using DnsClient;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Requests;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Dns;

/// <summary>Resolving from the root, as <c>dig +trace</c> does: a root server, then each referral's servers (found
/// by their glue, or looked up from the root in turn when a referral carries none), down to the zone's own server.</summary>
internal sealed partial class DnsStep
{
    /// <summary>The most queries one lookup from the root sends, all referrals, retries and name-server lookups included.</summary>
    internal const int MaxQueriesFromRoot = 40;

    /// <summary>How deep name-server lookups nest (a referral without glue whose servers' names need a walk of their own).</summary>
    private const int MaxGluelessDepth = 2;

    /// <summary>The largest root hints file read (the real one is 3 KB).</summary>
    private const long MaxRootHintsBytes = 1 << 20;

    private async Task<DnsResolution> ResolveFromRootAsync(TraceTarget target, TraceRequest request, TraceRun run, CancellationToken cancellationToken)
    {
        var name = target.AsciiHost;
        IReadOnlyList<IterativeServer> roots;
        string source;
        // The root servers given hold for the zones the DNS server given holds (the lab's names); others, a redirect's
        // included, start from the root hints, as the resolver given does not answer for them either.
        if (request.RootServers is { } given && (request.DnsServerZones.Count == 0 || request.DnsServerZones.Any(zone => InZone(name, zone))))
        {
            roots = RootHints.FromEndpoints(given.Select(r => EndpointText.TryParse(r, 53, out var e) ? e : null).OfType<IPEndPoint>());
            source = "the root servers given";
        }
        else
        {
            source = options.RootHintsPath;
            var file = new FileInfo(source);
            if (!file.Exists || file.Length > MaxRootHintsBytes)
            {
                run.Started(TraceStep.Dns, $"Resolving {target.Host} from the root");
                run.Failed(TraceStep.Dns, "dns-no-root-hints", file.Exists
                    ? $"The root hints file {source} is larger than {MaxRootHintsBytes / 1024} KiB: not a root hints file."
                    : $"Resolving from the root starts from root hints, and {source} does not exist (Debian installs it with dns-root-data).");
                return new DnsResolution(null);
            }

            roots = RootHints.Parse(await File.ReadAllTextAsync(source, cancellationToken).ConfigureAwait(false), 53);
        }

        run.Started(TraceStep.Dns, $"Resolving {target.Host} from the root: {roots.Count} root server address(es) from {source}");
        if (roots.Count == 0)
        {
            run.Failed(TraceStep.Dns, "dns-no-root-hints", $"{source} names no root server with an address.");
            return new DnsResolution(null);
        }

        var walk = new Walk(roots, roots[0].EndPoint.Port, request, run);
        var families = request.AddressFamily;
        var type = families == AddressFamilyPreference.IPv6 ? QueryType.AAAA : QueryType.A;
        // The whole walk has twice the DNS step's time; each server a fifth of it, so that a silent one leaves time to
        // ask the next.
        var limit = request.Timeouts.Dns * 2;
        using var walkLimit = new CancellationTokenSource(limit, options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, walkLimit.Token);
        WalkResult found;
        try
        {
            found = await WalkAsync(walk, name, type, 0, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            found = WalkResult.Failed("dns-timeout", $"Resolving {name} from the root did not finish within {Format.Duration(limit)} ({walk.Queries} queries sent).");
        }

        var network = TraceRun.Covered(walk.Windows, TimeSpan.MaxValue);
        if (found.Failure is { } failure)
        {
            run.Failed(TraceStep.Dns, failure.Code, failure.Reason, network: network);
            return new DnsResolution(null);
        }

        var addresses = found.Addresses.ToList();
        // Both families, as the system resolver asks: the zone's own server is known now, so AAAA is one more query to it.
        if (families == AddressFamilyPreference.Any && found.Server is { } authoritative && !found.AskedAaaa)
        {
            var aaaa = await AskAsync(walk, found.CanonicalName, QueryType.AAAA, authoritative, cancellationToken).ConfigureAwait(false);
            if (aaaa.FailureCode is null)
                addresses.InsertRange(0, aaaa.Addresses);
            network = TraceRun.Covered(walk.Windows, TimeSpan.MaxValue);
        }

        var chain = found.Chain;
        var chainText = chain.Count > 1 ? $" via CNAME {string.Join(" → ", chain)}" : "";
        var resolver = found.Server?.EndPoint.ToString();
        run.Completed(TraceStep.Dns,
            $"{target.Host} → {string.Join(", ", addresses)}{chainText}, from the root in {walk.Queries} queries: {string.Join(" → ", found.Delegations)} (answered by {found.Server?.Name})",
            new DnsResultDetails(target.Host, name, chain, [.. addresses.Select(a => a.ToString())], resolver, found.Delegations), network: network);
        return new DnsResolution(addresses);
    }

    /// <summary>One walk from the root down to <paramref name="name"/>'s zone, following CNAMEs from the root again.</summary>
    private async Task<WalkResult> WalkAsync(Walk walk, string name, QueryType type, int depth, CancellationToken cancellationToken)
    {
        var servers = walk.Roots;
        var zone = ".";
        var delegations = new List<string> { "." };
        var chain = new List<string> { name };
        var current = name;
        while (true)
        {
            QueryOutcome? outcome = null;
            IterativeServer? answered = null;
            foreach (var server in servers)
            {
                if (walk.Queries >= MaxQueriesFromRoot)
                    return WalkResult.Failed("dns-too-many-queries", $"Resolving {name} from the root took more than {MaxQueriesFromRoot} queries (a referral loop, or too many servers without glue).");
                var decision = options.DestinationPolicy.CheckDnsServer(server.EndPoint);
                if (!decision.Allowed)
                {
                    walk.Run.Detail(TraceStep.Dns, $"Not asking {server.Name} ({server.EndPoint}): {decision.Reason}");
                    continue;
                }

                outcome = await AskAsync(walk, current, type, server, cancellationToken).ConfigureAwait(false);
                // A server that does not answer, or answers badly, is one of several: the next one of the zone is asked.
                if (outcome.FailureCode is null or "dns-nxdomain")
                {
                    answered = server;
                    break;
                }
            }

            if (answered is null || outcome is null)
                return WalkResult.Failed(outcome?.FailureCode ?? "policy-refused",
                    outcome is null ? $"No server of {zone} may be asked." : $"No server of {zone} answered for {current}: {outcome.FailureReason}");
            if (outcome.FailureCode == "dns-nxdomain")
                return WalkResult.Failed("dns-nxdomain", $"{current} does not exist (NXDOMAIN from {answered.Name}, a server of {zone}).");

            var answers = outcome.Details.Answers;
            var cnames = CnameChain(current, answers);
            if (cnames.Count > MaxCnameChain || chain.Count + cnames.Count > MaxCnameChain + 1)
                return WalkResult.Failed("dns-cname-chain", $"The CNAME chain is longer than {MaxCnameChain} names.");
            var end = cnames[^1];
            if (outcome.Addresses.Count > 0)
                return new WalkResult([.. chain, .. cnames.Skip(1)], end, outcome.Addresses, answered, delegations, null);
            // The zone's server says the name has no A record: with both families wanted, it may still have AAAA.
            if (outcome.Details.Authoritative && outcome.Details.Referral is null && cnames.Count == 1 && type == QueryType.A && depth == 0 &&
                walk.Request.AddressFamily == AddressFamilyPreference.Any)
            {
                var aaaa = await AskAsync(walk, current, QueryType.AAAA, answered, cancellationToken).ConfigureAwait(false);
                if (aaaa.Addresses.Count > 0)
                    return new WalkResult(chain, current, aaaa.Addresses, answered, delegations, null) { AskedAaaa = true };
            }

            if (cnames.Count > 1)
            {
                // An alias whose target this server does not hold: the target is looked up from the root again.
                chain.AddRange(cnames.Skip(1));
                current = end;
                servers = walk.Roots;
                zone = ".";
                delegations.Add(".");
                continue;
            }

            if (outcome.Details.Referral is { } referral && IsCloser(referral.Zone, zone, current))
            {
                zone = referral.Zone;
                delegations.Add(zone);
                servers = [.. referral.NameServers.SelectMany(ns => referral.Glue
                    .Where(g => g.Name.Equals(ns, StringComparison.OrdinalIgnoreCase) && IPAddress.TryParse(g.Value, out _))
                    .Select(g => new IterativeServer(ns, new IPEndPoint(IPAddress.Parse(g.Value), walk.Port))))
                    .OrderBy(s => s.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && walk.Request.AddressFamily != AddressFamilyPreference.IPv6)];
                if (servers.Count == 0)
                {
                    // No glue (the servers are named outside the zone): their addresses are looked up from the root too.
                    if (depth >= MaxGluelessDepth)
                        return WalkResult.Failed("dns-no-glue", $"The referral to {zone} names servers without addresses, nested more than {MaxGluelessDepth} deep.");
                    string? lastFailure = null;
                    foreach (var nameServer in referral.NameServers.Take(3))
                    {
                        walk.Run.Detail(TraceStep.Dns, $"The referral to {zone} carries no addresses for its servers: looking up {nameServer} from the root");
                        var server = await WalkAsync(walk, nameServer, QueryType.A, depth + 1, cancellationToken).ConfigureAwait(false);
                        if (server.Failure is { } failure)
                        {
                            lastFailure = failure.Reason;
                            continue;
                        }

                        servers = [.. server.Addresses.Select(a => new IterativeServer(nameServer, new IPEndPoint(a, walk.Port)))];
                        break;
                    }

                    if (servers.Count == 0)
                        return WalkResult.Failed("dns-no-glue", $"The referral to {zone} names servers without addresses, and none could be found: {lastFailure}");
                }

                continue;
            }

            return outcome.Details.Authoritative
                ? WalkResult.Failed("dns-no-address", $"{current} exists but has no {type} record ({answered.Name}, a server of {zone}, says so).")
                : WalkResult.Failed("dns-lame", $"{answered.Name} ({answered.EndPoint}), asked as a server of {zone}, gave neither an answer nor a referral closer to {current}.");
        }
    }

    /// <summary>One non-recursive query to one server, over TCP again when the answer was truncated; reported and timed.</summary>
    private async Task<QueryOutcome> AskAsync(Walk walk, string name, QueryType type, IterativeServer server, CancellationToken cancellationToken)
    {
        walk.Queries++;
        var outcome = await QueryOnceAsync(name, type, [server.EndPoint], walk.PerQuery, tcp: false, walk.Run, cancellationToken, recursion: false).ConfigureAwait(false);
        if (outcome.Details.Truncated)
        {
            walk.Run.Detail(TraceStep.Dns, outcome.Message + "; retrying over TCP", outcome.Details, outcome.At);
            walk.Windows.Add(outcome.Window(walk.Run));
            walk.Queries++;
            outcome = await QueryOnceAsync(name, type, [server.EndPoint], walk.PerQuery, tcp: true, walk.Run, cancellationToken, recursion: false).ConfigureAwait(false);
        }

        walk.Run.Detail(TraceStep.Dns, $"{outcome.Message} [{server.Name}]", outcome.Details, outcome.At);
        walk.Windows.Add(outcome.Window(walk.Run));
        return outcome;
    }

    /// <summary>True when <paramref name="referred"/> is below <paramref name="zone"/> and holds <paramref name="name"/>:
    /// a step down, not sideways or back up (which would loop).</summary>
    private static bool IsCloser(string referred, string zone, string name)
    {
        var child = referred.TrimEnd('.');
        var parent = zone == "." ? "" : zone.TrimEnd('.');
        return child.Length > parent.Length && InZone(name, child) && (parent.Length == 0 || InZone(child, parent));
    }

    /// <summary>What one walk keeps: its settings and every query's window on the trace's clock.</summary>
    private sealed class Walk(IReadOnlyList<IterativeServer> roots, int port, TraceRequest request, TraceRun run)
    {
        public IReadOnlyList<IterativeServer> Roots => roots;
        public int Port => port;
        public TraceRequest Request => request;
        public TraceRun Run => run;
        public TimeSpan PerQuery => request.Timeouts.Dns / 5;
        public int Queries { get; set; }
        public List<(TimeSpan Start, TimeSpan End)> Windows { get; } = [];
    }

    private sealed record WalkResult(
        IReadOnlyList<string> Chain, string CanonicalName, IReadOnlyList<IPAddress> Addresses, IterativeServer? Server, IReadOnlyList<string> Delegations,
        (string Code, string Reason)? Failure)
    {
        /// <summary>True when the walk already asked the zone's server for AAAA (its A answer was empty).</summary>
        public bool AskedAaaa { get; init; }

        public static WalkResult Failed(string code, string reason) => new([], "", [], null, [], (code, reason));
    }
}
