using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;

namespace Gateway.Tests.Credentials;

/// <summary>
/// Issue 18 item 5: the real git client clones and pushes over HTTPS through the forward proxy to a
/// real <c>git http-backend</c> that requires Basic x-access-token:TOKEN. The sandbox side holds no
/// token at all: the gateway's <c>scheme: basic</c> presentation is what lets git in.
/// </summary>
public sealed class GitOverHttpsTests : IAsyncLifetime
{
    private const string Token = "ghp_gitE2eToken0123456789";
    private readonly InterceptTestCa _ca = new();
    private readonly string _work = Directory.CreateTempSubdirectory("gw-git-").FullName;
    private readonly string _variable = "GW_GIT_TOKEN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private GitHttpBackend _server = null!;
    private BrokeredGateway _env = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, Token);
        string root = Path.Combine(_work, "server");
        Directory.CreateDirectory(root);
        await GitAsync(root, "init", "--bare", "--initial-branch=main", "repo.git");
        string seed = Path.Combine(_work, "seed");
        await GitAsync(_work, "init", "--initial-branch=main", seed);
        await File.WriteAllTextAsync(Path.Combine(seed, "README"), "hello through the gateway\n");
        await GitAsync(seed, "add", "README");
        await GitAsync(seed, "commit", "-m", "seed");
        await GitAsync(seed, "push", Path.Combine(root, "repo.git"), "main");
        _server = await GitHttpBackend.StartAsync(_ca, root, Token);
        _env = await BrokeredGateway.StartAsync(_ca, KitBody);
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        await _server.DisposeAsync();
        _ca.Dispose();
        Environment.SetEnvironmentVariable(_variable, null);
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task GitClone_ThroughTheForwardProxy_IsLetInByTheInjectedBasicToken()
    {
        string clone = Path.Combine(_work, "clone");

        await SandboxGitAsync(_work, "clone", RepoUrl, clone);

        Assert.Equal("hello through the gateway\n", await File.ReadAllTextAsync(Path.Combine(clone, "README")));
        Assert.Equal(0, _server.Unauthorized);
    }

    [Fact]
    public async Task GitPush_ThroughTheForwardProxy_LandsOnTheServer()
    {
        string clone = Path.Combine(_work, "pusher");
        await SandboxGitAsync(_work, "clone", RepoUrl, clone);
        await File.WriteAllTextAsync(Path.Combine(clone, "CHANGE"), "pushed\n");
        await GitAsync(clone, "add", "CHANGE");
        await GitAsync(clone, "commit", "-m", "change from the sandbox");

        await SandboxGitAsync(clone, "push", "origin", "main");

        (int exit, string log, string stderr) = await RunGitAsync(Path.Combine(_server.Root, "repo.git"), "log", "--format=%s", "main");
        Assert.True(exit == 0, stderr);
        Assert.Equal("change from the sandbox\nseed\n", log);
        Assert.Equal(0, _server.Unauthorized);
    }

    [Fact]
    public async Task GitCloneAndPush_ThroughTheTransparentListener_AreLetInByTheInjectedBasicToken()
    {
        // A transparent gateway sees the TLS connection the sandbox's route redirected to it. Here:
        // the transparent listener on 127.0.0.2 at the server's port, git resolving the name to it
        // (as a sandbox's DNS would), the gateway dialling the real server on 127.0.0.1.
        await using BrokeredGateway transparent = await BrokeredGateway.StartAsync(
            _ca, KitBody, transparentTls: new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), _server.Port), dialTlsPort: _server.Port);
        string clone = Path.Combine(_work, "transparent");
        string[] route = ["-c", "http.sslCAInfo=" + transparent.GatewayCaPath, "-c", $"http.curloptResolve=git.example.test:{_server.Port}:127.0.0.2"];

        await GitAsync(_work, [.. route, "clone", RepoUrl, clone]);
        await File.WriteAllTextAsync(Path.Combine(clone, "T"), "transparent\n");
        await GitAsync(clone, "add", "T");
        await GitAsync(clone, "commit", "-m", "pushed transparently");
        await GitAsync(clone, [.. route, "push", "origin", "main"]);

        (int exit, string log, string stderr) = await RunGitAsync(Path.Combine(_server.Root, "repo.git"), "log", "-1", "--format=%s", "main");
        Assert.True(exit == 0, stderr);
        Assert.Equal("pushed transparently\n", log);
        Assert.Equal(0, _server.Unauthorized);
    }

    [Fact]
    public async Task GitClone_WithoutTheGateway_IsRefusedByTheServer()
    {
        // The server really checks: a direct clone with no credential gets its 401.
        (int exit, _, string stderr) = await RunGitAsync(_work, "-c", "http.sslCAInfo=" + _ca.PemPath, "-c", $"http.curloptResolve=git.example.test:{_server.Port}:127.0.0.1",
            "clone", RepoUrl, Path.Combine(_work, "direct"));

        Assert.True(exit != 0, stderr);
        Assert.True(_server.Unauthorized > 0, stderr);
    }

    private string KitBody => $$"""
        network:
          allowedDomains: [git.example.test]
          serviceDomains:
            git.example.test: code-host
          serviceAuth:
            code-host: { scheme: basic, username: x-access-token }
        credentials:
          sources:
            code-host: { env: [{{_variable}}] }
        """;

    private string RepoUrl => $"https://git.example.test:{_server.Port}/repo.git";

    private async Task SandboxGitAsync(string directory, params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunGitAsync(
            directory, ["-c", "http.proxy=" + _env.Gateway.ProxyUrl, "-c", "http.sslCAInfo=" + _env.GatewayCaPath, .. args]);
        Assert.True(exit == 0, $"git {string.Join(' ', args)}: {stdout}\n{stderr}");
    }

    private async Task GitAsync(string directory, params string[] args)
    {
        (int exit, string stdout, string stderr) = await RunGitAsync(directory, args);
        Assert.True(exit == 0, $"git {string.Join(' ', args)}: {stdout}\n{stderr}");
    }

    private Task<(int Exit, string Stdout, string Stderr)> RunGitAsync(string directory, params string[] args) =>
        ProcessRunner.RunAsync("git", ["-C", directory, .. args], start =>
        {
            foreach (string variable in (string[])["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"])
            {
                start.Environment.Remove(variable);
            }

            // The runner's environment may name a CA bundle for git; each call names its own with -c.
            start.Environment.Remove("GIT_SSL_CAINFO");
            start.Environment.Remove("GIT_SSL_CAPATH");
            start.Environment["HOME"] = _work;
            start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
            start.Environment["GIT_TERMINAL_PROMPT"] = "0";
            start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Sandbox";
            start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "sandbox@example.test";
        });
}
