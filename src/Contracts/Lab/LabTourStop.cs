namespace FlowTrace.Contracts.Lab;

/// <summary>One stop of the guided tour.</summary>
/// <param name="Site">The lab site traced (its short name).</param>
/// <param name="QuestionKind">The question asked before the trace runs (<see cref="Rooms.RoomQuestionKinds"/>).</param>
/// <param name="LeadIn">What the learner is about to see, in a sentence or two.</param>
public sealed record LabTourStop(string Site, string QuestionKind, string LeadIn);
