namespace FlowTrace.Contracts.Events;

/// <summary>A TLS alert, sent or received.</summary>
/// <param name="Direction">Who sent it.</param>
/// <param name="Level">warning or fatal.</param>
/// <param name="Description">The alert's name, e.g. unrecognized_name.</param>
/// <param name="Code">The alert's numeric code.</param>
/// <param name="Message">Extra text from the engine, if any.</param>
public sealed record TlsAlertDetails(WireDirection Direction, string Level, string Description, int Code, string? Message) : TraceEventDetails;
