using System.Diagnostics;
using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Repeat;
using FlowTrace.Contracts.Requests;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class HubTests(ServerFixture server)
{
    [Fact]
    public async Task Trace_SlowLabSite_EventsArriveInOrderWhileTheTraceRuns()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("slow");
        var received = new List<(TraceEvent Event, long At)>();
        await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url }, "t1"))
            received.Add((e, Stopwatch.GetTimestamp()));

        Assert.Equal(Enumerable.Range(0, received.Count), received.Select(r => r.Event.Sequence));
        var summary = Assert.IsType<TraceSummary>(received[^1].Event.Details);
        Assert.True(summary.Succeeded, summary.Failure?.Reason);
        // The TLS handshake finished before the server started its ~400 ms of work: that event must have reached us
        // before the tracer had even produced the end of Server processing, which it cannot if events were held back.
        // An order of two stamps on one clock, not a gap in milliseconds, so that a loaded machine cannot fail it.
        var tlsDone = received.Single(r => r.Event.Step == TraceStep.Tls && r.Event.Kind == TraceEventKind.Completed).At;
        var serverDone = server.StepProduced[(url, TraceStep.ServerProcessing)];
        Assert.True(tlsDone < serverDone, $"TLS completed received {Stopwatch.GetElapsedTime(serverDone, tlsDone).TotalMilliseconds:0.0} ms after Server processing was produced");
    }

    [Fact]
    public async Task Repeat_ThreeRuns_StreamsEachRunThenTheStatistics()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("www");
        var updates = new List<RepeatUpdate>();
        await foreach (var update in connection.StreamAsync<RepeatUpdate>("Repeat", new TraceRequestMessage { Url = url, Repeat = 3 }))
            updates.Add(update);

        var events = updates.Where(u => u.Event is not null).ToList();
        Assert.Equal([1, 2, 3], events.Select(u => u.Run).Distinct());
        Assert.All(events, u => Assert.Equal(3, u.Runs));
        // Runs follow one another: every event of run 1 before any of run 2.
        Assert.Equal(events.Select(u => u.Run).Order(), events.Select(u => u.Run));
        Assert.Equal(3, events.Count(u => u.Event!.Details is TraceSummary));
        var statistics = Assert.IsType<RepeatStatistics>(updates[^1].Statistics);
        Assert.Null(updates[^1].Event);
        Assert.Equal(3, statistics.Succeeded);
    }

    [Fact]
    public async Task Sample_AfterTheServersWarmUp_ReplaysItsLabTraceForPagesToWarmOn()
    {
        await using var connection = await server.ConnectAsync();
        var events = new List<TraceEvent>();
        for (var waited = 0; events.Count == 0 && waited < 60_000; waited += 200)
        {
            await foreach (var e in connection.StreamAsync<TraceEvent>("Sample"))
                events.Add(e);
            if (events.Count == 0)
                await Task.Delay(200);
        }

        // The server's own warm-up trace of the lab, through its API: a whole trace, every step, ending with a summary.
        Assert.True(Assert.IsType<TraceSummary>(events[^1].Details).Succeeded);
        Assert.Contains(events, e => e.Step == TraceStep.Tls && e.Kind == TraceEventKind.Completed);
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Trace_WithRepeat_PointsToRepeat()
    {
        await using var connection = await server.ConnectAsync();
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = "https://example.test/", Repeat = 2 }, "r1"))
            {
            }
        });
        Assert.Contains("'Repeat'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_ClientCancels_ServerSideTraceStopsAtOnce()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("stream");
        using var cancel = new CancellationTokenSource();
        var seen = 0;
        try
        {
            await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url }, "t2", cancel.Token))
            {
                seen++;
                if (e.Step == TraceStep.HttpResponse && e.Kind == TraceEventKind.Started)
                    await cancel.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(seen > 0);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        string ending;
        do
            ending = await server.TraceEndings.Reader.ReadAsync(wait.Token);
        while (!ending.StartsWith(url, StringComparison.Ordinal));
        Assert.EndsWith("cancelled", ending, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_StepMode_PausesAfterEachStepUntilNextStep()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("www");
        var pauses = new List<TraceStep>();
        TraceSummary? summary = null;
        await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url, StepMode = true }, "t3"))
        {
            if (e.Details is StepPausedDetails paused)
            {
                pauses.Add(paused.AfterStep);
                Assert.True(await connection.InvokeAsync<bool>("NextStep", "t3"));
            }

            summary = e.Details as TraceSummary ?? summary;
        }

        Assert.True(summary!.Succeeded);
        Assert.Equal([TraceStep.Dns, TraceStep.Tcp, TraceStep.Tls, TraceStep.HttpRequest, TraceStep.ServerProcessing, TraceStep.HttpResponse], pauses);
    }

    [Fact]
    public async Task Trace_StepModeWithoutNextStep_WaitsAndDoesNotProceed()
    {
        await using var connection = await server.ConnectAsync();
        var url = await server.LabUrlAsync("www");
        using var cancel = new CancellationTokenSource();
        var events = new List<TraceEvent>();
        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = url, StepMode = true }, "t4", cancel.Token))
                    lock (events)
                        events.Add(e);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await Task.Delay(1500);
        lock (events)
        {
            Assert.Contains(events, e => e.Details is StepPausedDetails { AfterStep: TraceStep.Dns });
            Assert.DoesNotContain(events, e => e.Step == TraceStep.Tcp);
        }

        await cancel.CancelAsync();
        await reader;
    }

    [Fact]
    public async Task Trace_InvalidUrl_FailsWithClearHubError()
    {
        await using var connection = await server.ConnectAsync();
        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var unused in connection.StreamAsync<TraceEvent>("Trace", new TraceRequestMessage { Url = "file:///etc/passwd" }, "t5"))
            {
            }
        });
        Assert.Contains("scheme 'file:' is not supported", error.Message, StringComparison.Ordinal);
    }
}
