using System.Globalization;
using Gateway.Cli;
using Gateway.Cli.Policy;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /policy/explain?host=&amp;canonical=&amp;port=&amp;sandbox=</c>: <c>policy explain</c> answered from
/// the running daemon's live policy and sandboxes (registered ones included), so the CLI never
/// answers from its own defaults while the daemon runs another configuration. The answer is
/// the JSON array of <c>policy explain --json</c>; an unknown sandbox is a 400 naming the known ones.
/// </summary>
internal static class AdminExplain
{
    public const string Path = "/policy/explain";

    public static void Map(IEndpointRouteBuilder endpoints, LivePolicy policy, SandboxRegistry sandboxes)
    {
        endpoints.MapGet(Path, (HttpContext context) =>
        {
            IQueryCollection query = context.Request.Query;
            string host = query["host"].ToString();
            string canonical = query["canonical"].ToString();
            string sandbox = query["sandbox"].ToString() is { Length: > 0 } named ? named : "host";
            if (host.Length == 0 || canonical.Length == 0
                || !int.TryParse(query["port"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                return Results.Json(new AdminErrors(["send host, canonical and port (1-65535)"]), AdminJsonContext.Default.AdminErrors, statusCode: 400);
            }

            var kits = new List<string>();
            if (sandbox != Sandbox.Host.Name)
            {
                if (sandboxes.Find(sandbox, out string known) is not { } found)
                {
                    return Results.Json(
                        new AdminErrors([$"unknown sandbox \"{sandbox}\"; the running gateway knows: {known}"]), AdminJsonContext.Default.AdminErrors, statusCode: 400);
                }

                kits.AddRange(found.Kits);
            }

            string configuration = $"the running gateway (pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)})";
            ExplainResult explained = PolicyExplainer.Explain(policy.Current, host, canonical, port, sandbox, kits, configuration);
            return Results.Json(new List<ExplainResult> { explained }, CliJsonContext.Default.ListExplainResult);
        });
    }
}
