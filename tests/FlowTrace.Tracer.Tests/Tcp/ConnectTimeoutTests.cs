using System.Net;
using System.Net.Sockets;
using FlowTrace.Contracts.Events;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Tcp;

public sealed class ConnectTimeoutTests
{
    /// <summary>
    /// A listener whose accept queue is full: Linux then drops further SYNs, so a connection attempt gets no answer at
    /// all, as behind a firewall that drops packets, and only the connect limit ends it.
    /// </summary>
    [Fact]
    public async Task TraceAsync_SynNeverAnswered_FailsTcpStepAtTheConnectLimit()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            // Fill the accept queue (never accepted).
            for (var i = 0; i < 3; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                try
                {
                    filler.Connect(endpoint);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                }

                fillers.Add(filler);
                await Task.Delay(50);
            }

            var request = new TraceRequest { Url = $"http://127.0.0.1:{endpoint.Port}/", Timeouts = new StepTimeouts { Connect = TimeSpan.FromMilliseconds(1500) } };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var events = new List<TraceEvent>();
            await foreach (var e in new FlowTracer(new TracerOptions { WarmUp = false }).TraceAsync(request, CancellationToken.None))
                events.Add(e);
            var failure = TraceAssert.FailedAt(events, TraceStep.Tcp, "tcp-timeout");
            Assert.Contains("No connection within", failure.Reason, StringComparison.Ordinal);
            Assert.Contains(events.Select(e => e.Details).OfType<TcpAttemptDetails>(), a => a.Outcome == TcpAttemptOutcome.TimedOut);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1400), TimeSpan.FromSeconds(10));
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }
}
