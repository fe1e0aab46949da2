using System.Diagnostics;

namespace Gateway.Tests.Docs;

/// <summary>
/// A network namespace for the README test: loopback up, /etc/hosts (through ip-netns' /etc/netns
/// bind mounts) sending the example hosts to 127.0.0.1, where a Python HTTPS server answers with a
/// certificate for all of them (and requires the README's API key for api.anthropic.com). Everything started in it is ended on dispose.
/// </summary>
internal sealed class DocNamespace : IAsyncDisposable
{
    /// <summary>The API key the README's gateway holds (ANTHROPIC_API_KEY) and the upstream requires.</summary>
    public const string ApiKey = "doc-test-anthropic-key-5c2e";

    private static readonly string[] s_hosts = ["example.com", "api.github.com", "api.anthropic.com"];

    // An HTTPS origin for every example host: 200, except api.anthropic.com without the right
    // x-api-key, which answers 401 as the real API does; so the README's 200 from a sandbox shows
    // the gateway injected the key the sandbox never had.
    private const string UpstreamScript = """
        import http.server, os, ssl, sys
        key = os.environ["DOC_API_KEY"]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                if host == "api.anthropic.com" and self.headers.get("x-api-key") != key:
                    code, body = 401, b'{"type":"error","error":{"type":"authentication_error"}}\n'
                else:
                    code, body = 200, b"<html><body>ok</body></html>\n"
                self.send_response(code)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 443), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.serve_forever()
        """;

    private readonly string _name;
    private readonly string _dir;
    private Process? _upstream;

    private DocNamespace(string name, string dir)
    {
        _name = name;
        _dir = dir;
    }

    public static async Task<DocNamespace> CreateAsync()
    {
        string dir = Directory.CreateTempSubdirectory("gw-readme-").FullName;
        var ns = new DocNamespace("gwdoc-" + Guid.NewGuid().ToString("N")[..8], dir);
        await ns.RunAsync("ip", "netns", "add", ns._name);
        await ns.RunAsync("ip", "netns", "exec", ns._name, "ip", "link", "set", "lo", "up");
        string etc = Directory.CreateDirectory(Path.Combine("/etc/netns", ns._name)).FullName;
        await File.WriteAllTextAsync(Path.Combine(etc, "hosts"), $"127.0.0.1 localhost {string.Join(' ', s_hosts)}\n::1 localhost\n");

        string key = Path.Combine(dir, "upstream.key");
        string cert = Path.Combine(dir, "upstream.pem");
        await ns.RunAsync(
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=example.com", "-addext", "subjectAltName=" + string.Join(',', s_hosts.Select(h => "DNS:" + h)),
            "-keyout", key, "-out", cert);
        string server = Path.Combine(dir, "upstream.py");
        await File.WriteAllTextAsync(server, UpstreamScript);
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["netns", "exec", ns._name, "/usr/bin/python3", server, cert, key])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOC_API_KEY"] = ApiKey;

        ns._upstream = Process.Start(start)!;
        ns._upstream.OutputDataReceived += static (_, _) => { };
        ns._upstream.ErrorDataReceived += static (_, _) => { };
        ns._upstream.BeginOutputReadLine();
        ns._upstream.BeginErrorReadLine();
        for (int i = 0; i < 100; i++)
        {
            ToolResult listening = await ToolRun.RunAsync("ip", ["netns", "exec", ns._name, "ss", "-Hltn", "sport = :443"], TimeSpan.FromSeconds(10));
            if (listening.Stdout.Contains("LISTEN", StringComparison.Ordinal))
            {
                return ns;
            }

            await Task.Delay(100);
        }

        await ns.DisposeAsync();
        throw new InvalidOperationException("openssl s_server did not listen on :443 in the namespace within 10 s");
    }

    /// <summary>A bash session inside the namespace, in the repository, with the README test's environment.</summary>
    public DocShell Shell()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GATEWAY_STATE_DIR"] = Path.Combine(_dir, "state"),
            ["XDG_DATA_HOME"] = Path.Combine(_dir, "xdg"),
            ["CURL_CA_BUNDLE"] = Path.Combine(_dir, "upstream.pem"),
            ["GATEWAY__EGRESS__ALLOWCIDRS__0"] = "127.0.0.0/8",
            ["GATEWAY__TRUST__EXTRAROOTCAS__0"] = Path.Combine(_dir, "upstream.pem"),
            ["ANTHROPIC_API_KEY"] = ApiKey,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
        };
        foreach (string proxy in (string[])["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"])
        {
            environment[proxy] = null;
        }

        return new DocShell("ip", ["netns", "exec", _name, "bash", "--noprofile", "--norc"], _dir, environment);
    }

    public async ValueTask DisposeAsync()
    {
        // Whatever the README started in the namespace (daemons, build servers) ends with it, by pid.
        ToolResult pids = await ToolRun.RunAsync("ip", ["netns", "pids", _name], TimeSpan.FromSeconds(10));
        foreach (string pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await ToolRun.RunAsync("kill", ["-KILL", pid], TimeSpan.FromSeconds(10));
        }

        _upstream?.Dispose();
        await ToolRun.RunAsync("ip", ["netns", "del", _name], TimeSpan.FromSeconds(10));
        Directory.Delete(Path.Combine("/etc/netns", _name), recursive: true);
        Directory.Delete(_dir, recursive: true);
    }

    private async Task RunAsync(string file, params string[] args)
    {
        ToolResult result = await ToolRun.RunAsync(file, args, TimeSpan.FromSeconds(60));
        if (result.Exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {result}");
        }
    }
}
