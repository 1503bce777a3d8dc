namespace FlowTrace.Contracts.Events;

/// <summary>One header line as sent or received, in order, duplicates kept.</summary>
public sealed record HttpHeader(string Name, string Value);
