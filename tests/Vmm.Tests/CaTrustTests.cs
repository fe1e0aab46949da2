namespace Vmm.Tests;

/// <summary>
/// Every sandbox trusts the gateway CA with no flag and no manual step: curl, git, python3 urllib,
/// node fetch and npm inside a netns sandbox reach a host the gateway intercepts (the kit binds the
/// credential to it), and the upstream sees the real key the sandbox never held.
/// </summary>
public sealed class CaTrustTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    private static string Injected => "hello from " + SandboxHost.InjectHost + " key-sha256=" + TlsUpstream.Sha256Prefix(SandboxHost.Secret);

    private static string Url => $"https://{SandboxHost.InjectHost}/";

    [RootNetworkFact]
    public async Task Curl_AndPython_ReachAnInterceptedHost_WithNoFlag_AndTheKeyIsInjected()
    {
        string name = host.Name("ca");
        await host.CreateAsync(name, "--kit", host.KitFile);

        ToolResult viaProxy = (await host.ExecAsync(name, "curl", "--silent", "--show-error", "--max-time", "10", Url)).AssertSuccess();
        ToolResult transparent = (await host.ExecAsync(name, "curl", "--silent", "--show-error", "--max-time", "10", "--noproxy", "*", Url)).AssertSuccess();
        ToolResult python = (await host.ExecAsync(name, "/usr/bin/python3", "-c",
            $"import urllib.request; print(urllib.request.urlopen('{Url}', timeout=10).read().decode())")).AssertSuccess();
        ToolResult variables = (await host.ExecAsync(name, "sh", "-c", "echo $SSL_CERT_FILE $NODE_EXTRA_CA_CERTS $REQUESTS_CA_BUNDLE $CURL_CA_BUNDLE $GIT_SSL_CAINFO $AWS_CA_BUNDLE")).AssertSuccess();
        ToolResult bundle = (await host.ExecAsync(name, "cat", "/etc/ssl/certs/ca-certificates.crt")).AssertSuccess();

        Assert.Equal(Injected, viaProxy.Stdout);
        Assert.Equal(Injected, transparent.Stdout);
        Assert.Equal(Injected + "\n", python.Stdout);
        Assert.Equal(string.Join(' ', Enumerable.Repeat("/etc/ssl/certs/ca-certificates.crt", 6)) + "\n", variables.Stdout);
        Assert.Contains((await File.ReadAllTextAsync(Path.Combine(host.StateDir, "ca", "egress-gateway-ca.pem"))).Trim(), bundle.Stdout, StringComparison.Ordinal);
        Assert.StartsWith((await File.ReadAllTextAsync("/etc/ssl/certs/ca-certificates.crt")).Trim(), bundle.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(SandboxHost.Secret, viaProxy.Stdout + python.Stdout, StringComparison.Ordinal);
    }

    [RootNetworkFact(Needs = "git:git")]
    public async Task Git_TrustsAnInterceptedHost_WithNoFlag()
    {
        string name = host.Name("git");
        await host.CreateAsync(name, "--kit", host.KitFile);
        int before = host.Upstream.Connections;

        // The upstream is no git server (it answers every path with text, which git reads as no refs):
        // what matters is that TLS to the intercepted host succeeded, never failing on a certificate.
        ToolResult git = (await host.ExecAsync(name, "git", "ls-remote", Url + "repo.git")).AssertSuccess();

        Assert.DoesNotContain("SSL", git.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", git.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(host.Upstream.Connections > before, "git's request reached the upstream\n" + git);
    }

    [RootNetworkFact(Needs = "node:nodejs")]
    public async Task NodeFetch_TrustsAnInterceptedHost_WithNoFlag()
    {
        string name = host.Name("node");
        await host.CreateAsync(name, "--kit", host.KitFile);

        ToolResult node = (await host.ExecAsync(name, "node", "-e",
            $"fetch('{Url}').then(r => r.text()).then(t => console.log(t), e => {{ console.error(e.cause ?? e); process.exit(1); }})")).AssertSuccess();

        Assert.Equal(Injected + "\n", node.Stdout);
    }

    [RootNetworkFact(Needs = "npm:npm")]
    public async Task Npm_TrustsAnInterceptedHost_WithNoFlag()
    {
        string name = host.Name("npm");
        await host.CreateAsync(name, "--kit", host.KitFile);
        int before = host.Upstream.Connections;

        // The upstream answers text, not a registry's JSON: npm fails on the body, after TLS, never on a certificate.
        ToolResult npm = await host.ExecAsync(name, "npm", "ping", "--registry", Url, "--fetch-retries", "0");

        Assert.DoesNotContain("CERT", npm.Stdout + npm.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", npm.Stdout + npm.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.True(host.Upstream.Connections > before, "npm's request reached the upstream\n" + npm);
    }
}
