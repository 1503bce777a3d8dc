using Microsoft.AspNetCore.SignalR;

namespace FlowTrace.Bench.Live;

/// <summary>The room suite's reference: a hub whose clients join a group and do nothing else; the suite broadcasts to
/// the group through the hub's context, as a room's presenter does, without rooms, storage or a trace running.</summary>
public sealed class BareGroupHub : Hub
{
    /// <summary>The hub's path.</summary>
    public const string Path = "/hubs/bare-group";

    /// <summary>Joins <paramref name="group"/>.</summary>
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);
}
