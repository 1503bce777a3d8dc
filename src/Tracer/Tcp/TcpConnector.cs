using System.Net;
using System.Net.Sockets;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tcp;

/// <summary>
/// Opens a TCP connection the way browsers do (Happy Eyeballs, RFC 8305): addresses interleaved by family,
/// IPv6 first, the next attempt started 250 ms after the previous one unless that one finished earlier,
/// the first to connect wins and the rest are closed. Every attempt is reported with its own timing.
/// </summary>
internal sealed class TcpConnector(TimeProvider time, DestinationPolicy policy, BlockingThreads? threads = null)
{
    private readonly BlockingThreads _threads = threads ?? new();

    /// <summary>The kept threads this connector's blocking calls run on.</summary>
    public BlockingThreads Threads => _threads;

    /// <summary>Delay before the next attempt starts while the previous one is still pending (RFC 8305 §5).</summary>
    public static readonly TimeSpan ConnectionAttemptDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Addresses tried at most in one race, however many DNS returned.</summary>
    public const int MaxAttempts = 16;

    public async Task<WireConnection?> ConnectAsync(
        IReadOnlyList<IPAddress> addresses, int port, TraceRun run, StepTimeouts timeouts, CancellationToken cancellationToken)
    {
        var ordered = Interleave(addresses);
        var refusals = new List<string>();
        ordered = [.. ordered.Where(address =>
        {
            // The address checked here is the very one connected to below: nothing is resolved in between.
            var decision = policy.Check(new IPEndPoint(address, port));
            if (!decision.Allowed)
                refusals.Add(decision.Reason!);
            return decision.Allowed;
        })];
        if (ordered.Count == 0)
        {
            run.Started(TraceStep.Tcp, $"Checking {addresses.Count} address(es) against this server's destination policy");
            foreach (var (address, index) in Interleave(addresses).Select((a, i) => (a, i)))
                run.Detail(TraceStep.Tcp, $"{new IPEndPoint(address, port)} not attempted: {refusals[index]}",
                    new TcpAttemptDetails(index + 1, new IPEndPoint(address, port).ToString(), null, TcpAttemptOutcome.NotAllowed, null, refusals[index]));
            run.Failed(TraceStep.Tcp, "policy-refused", refusals[0]);
            return null;
        }

        run.Started(TraceStep.Tcp, ordered.Count == 1
            ? $"Connecting to {Endpoint(ordered[0], port)}"
            : $"Racing {ordered.Count} addresses (Happy Eyeballs, IPv6 first, {ConnectionAttemptDelay.TotalMilliseconds:0} ms apart)");

        foreach (var refusal in refusals)
            run.Detail(TraceStep.Tcp, $"Skipped by the destination policy: {refusal}");
        if (ordered.Count > MaxAttempts)
        {
            run.Detail(TraceStep.Tcp, $"{ordered.Count} addresses: only the first {MaxAttempts} are tried");
            ordered = ordered[..MaxAttempts];
        }

        using var timeoutSource = new CancellationTokenSource(timeouts.Connect, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var pending = new List<Attempt>();
        var failures = new List<Attempt>();
        var next = 0;
        try
        {
            while (true)
            {
                if (next < ordered.Count && (pending.Count == 0 || pending.All(a => a.DelayElapsed)))
                {
                    var attempt = Start(next + 1, new IPEndPoint(ordered[next], port), run, linked.Token);
                    pending.Add(attempt);
                    next++;
                }

                if (pending.Count == 0)
                    break;

                var waits = pending.Select(a => (Task)a.Connect).ToList();
                Task? delay = null;
                if (next < ordered.Count)
                {
                    delay = Task.Delay(ConnectionAttemptDelay, time, linked.Token);
                    waits.Add(delay);
                }

                var finished = await Task.WhenAny(waits).ConfigureAwait(false);
                if (finished == delay)
                {
                    foreach (var attempt in pending)
                        attempt.DelayElapsed = true;
                    continue;
                }

                var done = pending.First(a => a.Connect == finished);
                pending.Remove(done);
                if (done.Connect.IsCompletedSuccessfully)
                    return Won(done, pending, run, timeouts.Write, time == TimeProvider.System, _threads, firstSyn: failures.Concat(pending).Append(done).Min(a => a.Started));

                Report(done, run, linked.Token, timeoutSource.IsCancellationRequested);
                failures.Add(done);
                // A failed attempt lets the next one start at once rather than after the delay.
                foreach (var attempt in pending)
                    attempt.DelayElapsed = true;
                if (timeoutSource.IsCancellationRequested || cancellationToken.IsCancellationRequested)
                    break;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        foreach (var attempt in pending)
        {
            attempt.Socket.Dispose();
            Report(attempt, run, linked.Token, timedOut: true);
            failures.Add(attempt);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (code, reason) = Explain(failures, timeoutSource.IsCancellationRequested, timeouts.Connect, port);
        var waited = failures.Count == 0 ? TimeSpan.Zero : run.Between(failures.Min(f => f.Started), failures.Max(f => f.Finished != 0 ? f.Finished : run.Now()));
        run.Failed(TraceStep.Tcp, code, reason, network: waited);
        return null;
    }

    /// <summary>RFC 8305 §4: alternate families, starting with IPv6.</summary>
    internal static List<IPAddress> Interleave(IReadOnlyList<IPAddress> addresses)
    {
        var v6 = new Queue<IPAddress>(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6));
        var v4 = new Queue<IPAddress>(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork));
        var result = new List<IPAddress>(addresses.Count);
        while (v6.Count > 0 || v4.Count > 0)
        {
            if (v6.TryDequeue(out var a6))
                result.Add(a6);
            if (v4.TryDequeue(out var a4))
                result.Add(a4);
        }

        return result;
    }

    private Attempt Start(int number, IPEndPoint remote, TraceRun run, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var started = run.Now();
        var attempt = new Attempt(number, remote, socket, started);
        attempt.Connect = ConnectOneAsync(attempt, run, cancellationToken);
        return attempt;
    }

    private Task ConnectOneAsync(Attempt attempt, TraceRun run, CancellationToken cancellationToken)
    {
        // A blocking connect on its own thread is stamped when the SYN/ACK is processed; an async connect would
        // add the wait for a thread-pool continuation. Cancelling closes the socket, which aborts the connect.
        var registration = cancellationToken.Register(() => attempt.Socket.Dispose());
        return _threads.Run(() =>
        {
            try
            {
                attempt.Started = run.Now();
                run.Detail(TraceStep.Tcp, $"Attempt {attempt.Number}: SYN to {attempt.Remote}",
                    new TcpAttemptDetails(attempt.Number, attempt.Remote.ToString(), null, TcpAttemptOutcome.Started, null, null), attempt.Started);
                attempt.Socket.Connect(attempt.Remote);
            }
            catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                attempt.Finished = run.Now();
                registration.Dispose();
            }
        });
    }

    private static WireConnection Won(Attempt winner, List<Attempt> losers, TraceRun run, TimeSpan writeTimeout, bool clockIsStopwatch, BlockingThreads threads, long firstSyn)
    {
        foreach (var loser in losers)
        {
            loser.Socket.Dispose();
            run.Detail(TraceStep.Tcp, $"Attempt {loser.Number} to {loser.Remote} abandoned: attempt {winner.Number} connected first",
                new TcpAttemptDetails(loser.Number, loser.Remote.ToString(), null, TcpAttemptOutcome.Abandoned, run.Between(loser.Started, run.Now()), null));
        }

        var connectCall = run.Between(winner.Started, winner.Finished);
        var connection = new WireConnection(winner.Socket, run.Now, writeTimeout, clockIsStopwatch, threads);
        run.Detail(TraceStep.Tcp, $"Attempt {winner.Number}: connected to {winner.Remote} in {Format.Duration(connectCall)}",
            new TcpAttemptDetails(winner.Number, winner.Remote.ToString(), connection.LocalEndPoint.ToString(), TcpAttemptOutcome.Connected, connectCall, null),
            winner.Finished);
        // The handshake is the kernel's own SYN→SYN/ACK sample where there is one: the connect call's duration also
        // holds the system call and this thread's wake-up (~0.1 ms here), which a loopback handshake is far shorter than.
        var kernel = connection.KernelView();
        var kernelHandshake = kernel?.Handshake is { } k && k <= connectCall ? k : (TimeSpan?)null;
        var handshake = kernelHandshake ?? connectCall;
        var rtt = kernel?.Rtt;
        // Network time: from the first SYN until the winner's handshake completed; the rest of the step (the socket, the
        // connect call beyond the handshake, starting the reader) is this computer's own work.
        var network = run.Between(firstSyn, winner.Finished) - (connectCall - handshake);
        run.Completed(TraceStep.Tcp,
            $"Connected {connection.LocalEndPoint} → {connection.RemoteEndPoint}: handshake {Format.Duration(handshake)}" +
            (kernelHandshake is null ? "" : $" as the kernel timed it (the connect call took {Format.Duration(connectCall)})"),
            new TcpConnectedDetails(connection.LocalEndPoint.ToString(), connection.RemoteEndPoint.ToString(), winner.Number, handshake, true, rtt, false),
            network: network);
        return connection;
    }

    private static void Report(Attempt attempt, TraceRun run, CancellationToken token, bool timedOut)
    {
        var error = attempt.Connect.Exception?.InnerException as SocketException;
        var outcome = error?.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => TcpAttemptOutcome.Refused,
            SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.AddressNotAvailable => TcpAttemptOutcome.Unreachable,
            SocketError.TimedOut => TcpAttemptOutcome.TimedOut,
            null when timedOut || token.IsCancellationRequested => TcpAttemptOutcome.TimedOut,
            _ => TcpAttemptOutcome.Failed,
        };
        attempt.Outcome = outcome;
        var duration = run.Between(attempt.Started, attempt.Finished != 0 ? attempt.Finished : run.Now());
        var text = outcome switch
        {
            TcpAttemptOutcome.Refused => "refused (the server answered with a reset: nothing listens on that port)",
            TcpAttemptOutcome.Unreachable => "unreachable (no route to that address)",
            TcpAttemptOutcome.TimedOut => "timed out (no answer to the SYN)",
            _ => error?.Message ?? "failed",
        };
        run.Detail(TraceStep.Tcp, $"Attempt {attempt.Number} to {attempt.Remote}: {text} after {Format.Duration(duration)}",
            new TcpAttemptDetails(attempt.Number, attempt.Remote.ToString(), null, outcome, duration, error?.SocketErrorCode.ToString() ?? (outcome == TcpAttemptOutcome.TimedOut ? "TimedOut" : null)));
        attempt.Socket.Dispose();
    }

    private static (string Code, string Reason) Explain(List<Attempt> failures, bool timedOut, TimeSpan timeout, int port)
    {
        if (failures.Count > 0 && failures.All(f => f.Outcome == TcpAttemptOutcome.Refused))
            return ("tcp-refused", $"Connection refused by {string.Join(", ", failures.Select(f => f.Remote.Address))} on port {port}: nothing listens there.");
        if (timedOut)
            return ("tcp-timeout", $"No connection within {Format.Duration(timeout)} ({failures.Count} address(es) tried).");
        if (failures.Count > 0 && failures.All(f => f.Outcome == TcpAttemptOutcome.Unreachable))
            return ("tcp-unreachable", "Every address was unreachable from here.");
        return ("tcp-failed", $"All {failures.Count} connection attempt(s) failed.");
    }

    private static string Endpoint(IPAddress address, int port) => new IPEndPoint(address, port).ToString();

    private sealed class Attempt(int number, IPEndPoint remote, Socket socket, long started)
    {
        public int Number { get; } = number;
        public IPEndPoint Remote { get; } = remote;
        public Socket Socket { get; } = socket;
        public long Started { get; set; } = started;
        public long Finished { get; set; }
        public bool DelayElapsed { get; set; }
        public TcpAttemptOutcome Outcome { get; set; }
        public Task Connect { get; set; } = Task.CompletedTask;
    }
}
