using Vmm.Sandboxes;

namespace Vmm.Tests;

public sealed class SandboxNameTests
{
    [Theory]
    [InlineData("dev", true)]
    [InlineData("agent-1", true)]
    [InlineData("1agent", true)]
    [InlineData("", false)]
    [InlineData("host", false)]
    [InlineData("-dev", false)]
    [InlineData("Dev", false)]
    [InlineData("dev_1", false)]
    [InlineData("../etc", false)]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123", false)]
    public void IsValid_FollowsTheGatewaysRule(string name, bool expected) => Assert.Equal(expected, SandboxName.IsValid(name));
}
