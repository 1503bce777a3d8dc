namespace FlowTrace.Contracts.Lab;

/// <summary>One site of the offline demo lab.</summary>
/// <param name="Name">Short name, e.g. <c>slow</c>.</param>
/// <param name="Url">The full URL to trace.</param>
/// <param name="Title">A few words for a list.</param>
/// <param name="Demonstrates">What tracing it teaches.</param>
/// <param name="ExpectedFailureStep">The step where a trace of it fails, or null when it completes.</param>
/// <param name="Lesson">What it teaches: the step to watch, or the hostile servers' lesson.</param>
public sealed record LabSite(string Name, string Url, string Title, string Demonstrates, string? ExpectedFailureStep = null, LabLesson Lesson = LabLesson.Start);
