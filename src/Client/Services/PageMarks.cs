using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace FlowTrace.Client.Services;

/// <summary>
/// Performance marks (<c>performance.mark</c>) at the page's own stages of an event: parsed from the hub's message,
/// handed to the trace, drawn. Off unless the page's address carries <c>marks</c> in its query (the pixel benchmark
/// asks for them), so a user's page pays one boolean test per stage.
/// </summary>
public sealed class PageMarks(IJSRuntime js, NavigationManager navigation)
{
    /// <summary>True when the page was opened with <c>?marks</c>.</summary>
    public bool Enabled { get; } = new Uri(navigation.Uri).Query.Contains("marks", StringComparison.Ordinal);

    /// <summary>Marks <paramref name="name"/> on the browser's performance timeline, when enabled.</summary>
    public void Mark(string name)
    {
        if (Enabled && js is IJSInProcessRuntime inProcess)
            inProcess.InvokeVoid("performance.mark", name);
    }
}
