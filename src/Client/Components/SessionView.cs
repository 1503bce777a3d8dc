using FlowTrace.Client.Services;
using Microsoft.AspNetCore.Components;

namespace FlowTrace.Client.Components;

/// <summary>
/// A part of the trace page drawn from the <see cref="TraceSession"/>. Each part draws again only when what it shows
/// changed (<see cref="Shows"/>), so a burst of TLS events does not redraw the form, the lab's buttons or the status.
/// </summary>
public abstract class SessionView : ComponentBase, IDisposable
{
    private object? _drawnFor;

    /// <summary>Performance marks for the pixel benchmark.</summary>
    [Inject]
    protected PageMarks Marks { get; set; } = null!;

    /// <summary>The page's own trace session.</summary>
    [Inject]
    private TraceSession PageSession { get; set; } = null!;

    /// <summary>Another trace to draw instead of the page's (an attendee's own trace beside the room's), cascaded by name.</summary>
    [CascadingParameter(Name = OwnTraceName)]
    public TraceSession? OwnTrace { get; set; }

    /// <summary>The cascading value's name for <see cref="OwnTrace"/>.</summary>
    public const string OwnTraceName = "OwnTrace";

    /// <summary>The trace this part draws: the cascaded one, else the page's.</summary>
    protected TraceSession Session => OwnTrace ?? PageSession;

    /// <summary>A value that changes exactly when this part must draw again; compared with <see cref="object.Equals(object)"/>.</summary>
    protected abstract object Shows();

    /// <inheritdoc />
    protected override void OnInitialized() => Session.Changed += OnSessionChanged;

    /// <inheritdoc />
    protected override bool ShouldRender() => !Equals(_drawnFor, Shows());

    /// <inheritdoc />
    protected override void OnAfterRender(bool firstRender)
    {
        _drawnFor = Shows();
        if (Marks.Enabled)
            Marks.Mark($"ft:rendered:{GetType().Name}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Session.Changed -= OnSessionChanged;
        GC.SuppressFinalize(this);
    }

    private void OnSessionChanged()
    {
        if (!ShouldRender())
            return;
        if (Marks.Enabled)
            Marks.Mark($"ft:render:{GetType().Name}");
        _ = InvokeAsync(StateHasChanged);
    }
}
