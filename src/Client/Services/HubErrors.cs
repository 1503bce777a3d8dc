using Microsoft.AspNetCore.SignalR;

namespace FlowTrace.Client.Services;

/// <summary>What a hub's refusal says, without the client's wrapping.</summary>
public static class HubErrors
{
    /// <summary>The server's own words: SignalR's client puts "An unexpected error occurred invoking '...' on the server.
    /// HubException: " before them.</summary>
    public static string Message(HubException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        const string marker = "HubException: ";
        var at = error.Message.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? error.Message[(at + marker.Length)..] : error.Message;
    }
}
