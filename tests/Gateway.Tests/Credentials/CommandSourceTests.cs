using System.Collections.Immutable;
using Gateway.Credentials;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 1, <c>command</c>: a real script run without a shell, whose output is the value
/// (trimmed), cached for its TTL (the script counts its runs), bounded by its timeout, with
/// neither its stderr nor the value in any log line or error.
/// </summary>
public sealed class CommandSourceTests : IDisposable
{
    private const string Secret = "cmd-s3cr3t-4f1e";
    private const string StderrText = "stderr-noise-e7a2";
    private readonly BrokerFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Command_IsRunOncePerTtl_AndItsOutputIsTrimmed()
    {
        (KitCredentialSource source, string counter) = Script("printf '  %s\\n\\n' " + Secret, ttl: TimeSpan.FromMinutes(5));

        CredentialResult first = await GetAsync(source);
        CredentialResult second = await GetAsync(source);
        _fixture.Clock.Advance(TimeSpan.FromMinutes(4));
        CredentialResult third = await GetAsync(source);

        Assert.Equal((Secret, Secret, Secret), (first.Value?.Token, second.Value?.Token, third.Value?.Token));
        Assert.Equal(1, Runs(counter));

        _fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Secret, (await GetAsync(source)).Value?.Token);
        Assert.Equal(2, Runs(counter));
        Assert.Equal(2, await _fixture.FetchesAsync("command", "ok"));
    }

    [Fact]
    public async Task Command_RunsWithoutAShell_SoShellSyntaxIsAnArgument()
    {
        var source = new KitCredentialSource("echo", [], null, KitCredentialPriority.EnvFirst)
        {
            Command = new KitCommand(["/bin/echo", "$HOME;", "`id`"], TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)),
        };

        Assert.Equal("$HOME; `id`", (await GetAsync(source)).Value?.Token);
    }

    [Fact]
    public async Task FailingCommand_NamesTheExitCode_NeverItsOutput()
    {
        (KitCredentialSource source, _) = Script($"echo {Secret}; echo {StderrText} >&2; exit 3", ttl: TimeSpan.FromMinutes(5));

        CredentialResult result = await GetAsync(source);

        Assert.Null(result.Value);
        Assert.Contains("exited with code 3", result.Failure, StringComparison.Ordinal);
        AssertNothingLeaked(result.Failure!);
        Assert.Equal(1, await _fixture.FetchesAsync("command", "error"));
    }

    [Fact]
    public async Task SlowCommand_IsKilledAtItsTimeout()
    {
        (KitCredentialSource source, string counter) = Script("exec sleep 60", ttl: TimeSpan.FromMinutes(5), timeout: TimeSpan.FromMilliseconds(300));

        CredentialResult result = await GetAsync(source);

        Assert.Null(result.Value);
        Assert.Contains("did not finish within 0.3 s and was killed", result.Failure, StringComparison.Ordinal);
        Assert.Equal(1, Runs(counter));
    }

    [Fact]
    public async Task CommandPrintingNothing_IsAFailure()
    {
        (KitCredentialSource source, _) = Script("printf '   \\n'", ttl: TimeSpan.FromMinutes(5));

        CredentialResult result = await GetAsync(source);

        Assert.Equal("the command " + source.Command!.Argv[0] + " printed nothing", result.Failure);
    }

    [Fact]
    public async Task AfterAFailure_TheNextRequestRunsTheCommandAgain()
    {
        string flag = Path.Combine(_fixture.Directory, "ok");
        (KitCredentialSource source, string counter) = Script($"[ -e {flag} ] || exit 1; echo {Secret}", ttl: TimeSpan.FromMinutes(5));

        Assert.Null((await GetAsync(source)).Value);
        await File.WriteAllTextAsync(flag, "");
        Assert.Equal(Secret, (await GetAsync(source)).Value?.Token);
        Assert.Equal(2, Runs(counter));
    }

    private async Task<CredentialResult> GetAsync(KitCredentialSource source)
    {
        CredentialResult result = await _fixture.Broker.GetAsync(source, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        AssertNothingLeaked(_fixture.Logs.ToString());
        return result;
    }

    private static void AssertNothingLeaked(string text)
    {
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(StderrText, text, StringComparison.Ordinal);
    }

    /// <summary>A script that appends a line to a counter file on every run, then runs <paramref name="body"/>.</summary>
    private (KitCredentialSource Source, string Counter) Script(string body, TimeSpan ttl, TimeSpan? timeout = null)
    {
        string counter = Path.Combine(_fixture.Directory, "runs-" + Guid.NewGuid().ToString("N"));
        string script = Path.Combine(_fixture.Directory, "secret-cli-" + Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(script, $"#!/bin/sh\necho run >> {counter}\necho {StderrText} >&2\n{body}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var source = new KitCredentialSource("secret-cli", [], null, KitCredentialPriority.EnvFirst)
        {
            Command = new KitCommand(ImmutableArray.Create(script), ttl, timeout ?? TimeSpan.FromSeconds(30)),
        };
        return (source, counter);
    }

    private static int Runs(string counter) => File.Exists(counter) ? File.ReadAllLines(counter).Length : 0;
}
