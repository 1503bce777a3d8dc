namespace FlowTrace.Contracts.Storage;

/// <summary>One page of the history, newest first.</summary>
/// <param name="Items">The traces on this page.</param>
/// <param name="Total">How many traces match the filter in all.</param>
/// <param name="Page">This page's number, from 1.</param>
/// <param name="PageSize">Traces per page.</param>
public sealed record StoredTraceList(IReadOnlyList<StoredTraceInfo> Items, int Total, int Page, int PageSize);
