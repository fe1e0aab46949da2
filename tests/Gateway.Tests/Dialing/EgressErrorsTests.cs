using Gateway.Dialing;

namespace Gateway.Tests.Dialing;

public class EgressErrorsTests
{
    [Theory]
    [InlineData(EgressError.None, 200)]
    [InlineData(EgressError.NameNotResolved, 502)]
    [InlineData(EgressError.RefusedAddress, 403)]
    [InlineData(EgressError.ConnectionRefused, 502)]
    [InlineData(EgressError.Unreachable, 502)]
    [InlineData(EgressError.Timeout, 504)]
    [InlineData(EgressError.TooManyConnections, 503)]
    public void StatusCode_IsWhatAClientSees(object error, int status) =>
        Assert.Equal(status, EgressErrors.StatusCode((EgressError)error));

    [Fact]
    public void EveryError_HasAStatusAndAReason()
    {
        foreach (EgressError error in Enum.GetValues<EgressError>())
        {
            Assert.InRange(EgressErrors.StatusCode(error), 200, 599);
            Assert.False(string.IsNullOrWhiteSpace(EgressErrors.Reason(error)));
        }
    }

    [Fact]
    public void GuardRule_IsNamedAsTheDesignSays() => Assert.Equal("egress-guard", EgressErrors.GuardRuleId);

    [Fact]
    public void RefusedAddress_NamesTheFix() =>
        Assert.Contains("egress.allowCidrs", EgressErrors.Reason(EgressError.RefusedAddress), StringComparison.Ordinal);
}
