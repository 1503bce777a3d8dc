using FlowTrace.Contracts.Lab;
using FlowTrace.Contracts.Rooms;

namespace FlowTrace.Tracer.Tests.Lab;

[Collection(LabCollection.Name)]
public sealed class LabTourTests(LabFixture lab)
{
    [Fact]
    public async Task Stops_EachLabSiteTraced_ItsQuestionAnsweredByTheTrace()
    {
        // The answers the tour teaches, read from real traces of the lab.
        string[] expected = ["1", "2", "Server processing", "Yes", "No"];
        Assert.Equal(expected.Length, LabTour.Stops.Count);
        for (var i = 0; i < LabTour.Stops.Count; i++)
        {
            var stop = LabTour.Stops[i];
            var question = Assert.Single(RoomQuestionKinds.Offered, q => q.Kind == stop.QuestionKind);
            var (right, why) = RoomAnswers.Judge(stop.QuestionKind, await lab.TraceAsync(stop.Site));
            Assert.True(right is not null, $"{stop.Site}: no answer");
            Assert.Equal(expected[i], question.Choices[right!.Value]);
            Assert.False(string.IsNullOrWhiteSpace(why));
        }
    }
}
