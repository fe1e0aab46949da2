using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

public sealed class AgentReplyTests
{
    [Theory]
    [InlineData("O abc aGVsbG8=", "Stdout", "hello", 0)]
    [InlineData("E abc b29wcw==", "Stderr", "oops", 0)]
    [InlineData("EXIT abc 137", "Exit", "", 137)]
    [InlineData("PONG abc", "Pong", "", 0)]
    [InlineData("O other aGVsbG8=", "Other", "", 0)]
    [InlineData("EXIT other 0", "Other", "", 0)]
    [InlineData("vmm-init: agent exited with 1; restarting", "Other", "", 0)]
    [InlineData("", "Other", "", 0)]
    public void Line_ForThisRequestOrAnother_IsClassified(string line, string kind, string payload, int code)
    {
        AgentReplyKind parsed = AgentReply.Parse(line, "abc", out byte[] bytes, out int exitCode);

        Assert.Equal(kind, parsed.ToString());
        Assert.Equal(payload, System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(code, exitCode);
    }

    [Theory]
    [InlineData("O abc not*base64")]
    [InlineData("O abc")]
    [InlineData("EXIT abc -1")]
    [InlineData("EXIT abc x")]
    [InlineData("PONG abc extra")]
    [InlineData("WHAT abc")]
    public void Malformed_LineForThisRequest_Throws(string line) =>
        Assert.Throws<FormatException>(() => AgentReply.Parse(line, "abc", out _, out _));
}
