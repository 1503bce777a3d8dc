using FlowTrace.Contracts.Events;
using FlowTrace.Lab;
using FlowTrace.Tracer.Tracing;

namespace FlowTrace.Tracer.Tests.Lab;

/// <summary>One demo lab (every port ephemeral) and one warmed-up tracer for a whole collection.</summary>
public sealed class LabFixture : IAsyncLifetime
{
    public DemoLab Lab { get; private set; } = null!;

    public FlowTracer Tracer { get; } = new();

    /// <summary>Short waits for a sweep over every site: a silent server's timeout is still a named failure, and the
    /// sweep stays quick.</summary>
    public static StepTimeouts SweepTimeouts { get; } = new()
    {
        Dns = TimeSpan.FromSeconds(2), Connect = TimeSpan.FromSeconds(2), Tls = TimeSpan.FromSeconds(2),
        FirstByte = TimeSpan.FromSeconds(3), Download = TimeSpan.FromSeconds(3),
    };

    public async Task InitializeAsync() => Lab = await DemoLab.StartAsync(LabOptions.Ephemeral);

    public async Task DisposeAsync() => await Lab.DisposeAsync();

    public TraceRequest Request(string site) => new()
    {
        Url = Lab.Site(site).Url,
        DnsServer = Lab.DnsEndPoint.ToString(),
        ExtraTrustedRoots = [Lab.CaCertificate],
    };

    public async Task<IReadOnlyList<TraceEvent>> TraceAsync(TraceRequest request, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var events = new List<TraceEvent>();
        await foreach (var e in Tracer.TraceAsync(request, timeout.Token))
            events.Add(e);
        return events;
    }

    public Task<IReadOnlyList<TraceEvent>> TraceAsync(string site) => TraceAsync(Request(site));
}

[CollectionDefinition(Name)]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
    public const string Name = "lab";
}
