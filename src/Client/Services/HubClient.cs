using FlowTrace.Contracts.Events;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FlowTrace.Client.Services;

/// <summary>The page's connections to the trace hub and (in a workshop room) the room hub, each opened on first use.</summary>
public sealed class HubClient(NavigationManager navigation, PageMarks marks) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1);
    private HubConnection? _connection;
    private HubConnection? _room;

    /// <summary>The connected trace hub connection.</summary>
    public async Task<HubConnection> ConnectAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            return await StartedAsync(_connection ??= Build("/hubs/trace"));
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>The connected room hub connection.</summary>
    public async Task<HubConnection> ConnectRoomAsync()
    {
        await _connecting.WaitAsync();
        try
        {
            return await StartedAsync(_room ??= Build("/hubs/room"));
        }
        finally
        {
            _connecting.Release();
        }
    }

    private static async Task<HubConnection> StartedAsync(HubConnection connection)
    {
        if (connection.State == HubConnectionState.Disconnected)
            await connection.StartAsync();
        return connection;
    }

    private HubConnection Build(string path)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(navigation.ToAbsoluteUri(path))
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
        if (_room is not null)
            await _room.DisposeAsync();
        _connecting.Dispose();
    }
}
