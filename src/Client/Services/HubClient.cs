using FlowTrace.Contracts.Events;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Client.Services;

/// <summary>The page's one connection to the trace hub, opened on first use.</summary>
public sealed class HubClient(NavigationManager navigation) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1);
    private HubConnection? _connection;

    /// <summary>The connected hub connection.</summary>
    public async Task<HubConnection> ConnectAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            _connection ??= new HubConnectionBuilder()
                .WithUrl(navigation.ToAbsoluteUri("/hubs/trace"))
                .AddJsonProtocol(o => TraceJson.Configure(o.PayloadSerializerOptions))
                .WithAutomaticReconnect()
                .Build();
            if (_connection.State == HubConnectionState.Disconnected)
                await _connection.StartAsync();
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connecting.Dispose();
    }
}
