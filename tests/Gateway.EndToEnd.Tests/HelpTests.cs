namespace Gateway.EndToEnd.Tests;

public sealed class HelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("run --help")]
    [InlineData("policy --help")]
    [InlineData("policy ls --help")]
    [InlineData("policy allow --help")]
    [InlineData("policy allow network --help")]
    [InlineData("policy deny --help")]
    [InlineData("policy deny network --help")]
    [InlineData("policy rm --help")]
    [InlineData("policy rm network --help")]
    [InlineData("policy reset --help")]
    [InlineData("policy set-default --help")]
    [InlineData("policy explain --help")]
    [InlineData("ca --help")]
    [InlineData("ca export --help")]
    [InlineData("ca rotate --help")]
    public async Task Help_ExitsZeroAndShowsAnExample(string commandLine)
    {
        GatewayResult help = (await GatewayProcess.RunAsync(commandLine.Split(' '))).AssertSuccess();

        Assert.Contains("Example", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("Usage:", help.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("policy")]
    [InlineData("policy frobnicate")]
    [InlineData("policy allow")]
    public async Task MissingOrUnknownCommand_IsAUsageError(string commandLine)
    {
        (await GatewayProcess.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))).AssertUsageError();
    }
}
