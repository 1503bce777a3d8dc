using FlowTrace.Contracts.Events;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlowTrace.Client.Services;

/// <summary>The page's one connection to the trace hub, opened on first use.</summary>
public sealed class HubClient(NavigationManager navigation, PageMarks marks) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1);
    private HubConnection? _connection;

    /// <summary>The connected hub connection.</summary>
    public async Task<HubConnection> ConnectAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            _connection ??= Build();
            if (_connection.State == HubConnectionState.Disconnected)
                await _connection.StartAsync();
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private HubConnection Build()
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri("/hubs/trace"))
            .AddJsonProtocol(o => TraceJson.Configure(o.PayloadSerializerOptions))
            .WithAutomaticReconnect();
        if (marks.Enabled)
        {
            // Registered after the JSON protocol, so it replaces it under the same name.
            var options = new JsonHubProtocolOptions();
            TraceJson.Configure(options.PayloadSerializerOptions);
            builder.Services.AddSingleton<IHubProtocol>(new MarkingHubProtocol(new JsonHubProtocol(Options.Create(options)), marks));
        }

        return builder.Build();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connecting.Dispose();
    }
}
