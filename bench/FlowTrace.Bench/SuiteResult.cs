namespace FlowTrace.Bench;

/// <summary>The figures of one suite and what the reader should know about them.</summary>
public sealed record SuiteResult(string Suite, string Size, IReadOnlyList<Figure> Figures, IReadOnlyList<string> Notes);
