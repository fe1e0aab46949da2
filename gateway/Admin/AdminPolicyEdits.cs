using System.Text.Json.Serialization.Metadata;
using Gateway.Cli;
using Gateway.Cli.Policy;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Rules;

namespace Gateway.Admin;

/// <summary>
/// The rule edits of <c>gateway policy</c>, applied by the running daemon under its policy lock and
/// live before the answer (no reload call): <c>GET /policy/rules</c> (the rows of <c>policy ls --json</c>),
/// <c>POST /policy/rules</c> (<see cref="RuleAddRequest"/>), <c>POST /policy/rules/remove</c>
/// (<see cref="RuleRemoveRequest"/>), <c>PUT /policy/default</c> (<see cref="DefaultChoice"/>) and
/// <c>POST /policy/reset</c>. JSON in, JSON out; a refusal is <see cref="AdminErrors"/> with 400
/// (the request is wrong), 404 (nothing it names exists) or 409 (saved, but not live).
/// </summary>
internal static partial class AdminPolicyEdits
{
    public const string RulesPath = "/policy/rules";
    public const string RemovePath = "/policy/rules/remove";
    public const string DefaultPath = "/policy/default";
    public const string ResetPath = "/policy/reset";

    public static void Map(IEndpointRouteBuilder endpoints, LivePolicy policy, SandboxRegistry sandboxes, ILogger logger)
    {
        var editor = new PolicyEditor(policy, sandboxes);
        endpoints.MapGet(RulesPath, () =>
        {
            var rows = new List<RuleRow>();
            foreach (PolicyRule rule in policy.Current.Rules)
            {
                rows.Add(PolicyLsCommand.ToRow(rule));
            }

            return Results.Json(rows, CliJsonContext.Default.ListRuleRow);
        });
        endpoints.MapPost(RulesPath, (HttpRequest http) => EditAsync(http, PolicyEditJsonContext.Default.RuleAddRequest, PolicyEditJsonContext.Default.RuleAddition, request =>
        {
            RuleAddition added = editor.Add(request);
            Log.Added(logger, added.Added is { } rule ? "local:" + rule.Id : "nothing new", added.Decision, request.Resources, added.Sandbox ?? "every sandbox");
            return added;
        }));
        endpoints.MapPost(RemovePath, (HttpRequest http) => EditAsync(http, PolicyEditJsonContext.Default.RuleRemoveRequest, PolicyEditJsonContext.Default.RuleRemoval, request =>
        {
            RuleRemoval removed = editor.Remove(request);
            Log.Removed(logger, request.Id ?? request.Resource ?? string.Empty, removed.Count, removed.Sandbox ?? "every sandbox");
            return removed;
        }));
        endpoints.MapPut(DefaultPath, (HttpRequest http) => EditAsync(http, PolicyEditJsonContext.Default.DefaultChoice, PolicyEditJsonContext.Default.DefaultChoice, request =>
        {
            DefaultChoice chosen = editor.SetDefault(request.Default);
            Log.DefaultChosen(logger, chosen.Default);
            return chosen;
        }));
        endpoints.MapPost(ResetPath, () => Answer(PolicyEditJsonContext.Default.PolicyReset, () =>
        {
            PolicyReset reset = editor.Reset();
            Log.Reset(logger, reset.RemovedRules);
            return reset;
        }));
    }

    private static async Task<IResult> EditAsync<TIn, TOut>(HttpRequest http, JsonTypeInfo<TIn> input, JsonTypeInfo<TOut> output, Func<TIn, TOut> edit)
        where TIn : class
    {
        TIn? request;
        try
        {
            request = await http.ReadFromJsonAsync(input, http.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (System.Text.Json.JsonException e)
        {
            return Errors(400, [$"the body is not a {typeof(TIn).Name}: {e.Message}"]);
        }
        catch (InvalidOperationException e)
        {
            return Errors(400, [$"send a JSON {typeof(TIn).Name} with Content-Type: application/json ({e.Message})"]);
        }

        return request is null ? Errors(400, [$"the body is empty; send a JSON {typeof(TIn).Name}"]) : Answer(output, () => edit(request));
    }

    private static IResult Answer<TOut>(JsonTypeInfo<TOut> output, Func<TOut> edit)
    {
        try
        {
            return Results.Json(edit(), output);
        }
        catch (PolicyEditException e)
        {
            return Errors(StatusOf(e.Failure), e.Errors);
        }
    }

    /// <summary>The status a refusal is answered with; <see cref="AdminClient"/> reads it back.</summary>
    public static int StatusOf(PolicyEditFailure failure) => failure switch
    {
        PolicyEditFailure.NotFound => 404,
        PolicyEditFailure.NotLive => 409,
        _ => 400,
    };

    private static IResult Errors(int status, IReadOnlyList<string> errors) =>
        Results.Json(new AdminErrors(errors), AdminJsonContext.Default.AdminErrors, statusCode: status);

    private static partial class Log
    {
        [LoggerMessage(1120, LogLevel.Information, "policy: admin API added {Rule}: {Decision} {Resources} for {Scope}; live now")]
        public static partial void Added(ILogger logger, string rule, string decision, string resources, string scope);

        [LoggerMessage(1121, LogLevel.Information, "policy: admin API removed {Target} from {Count} local rules of {Scope}; live now")]
        public static partial void Removed(ILogger logger, string target, int count, string scope);

        [LoggerMessage(1122, LogLevel.Information, "policy: admin API set the default to {Default}; live now")]
        public static partial void DefaultChosen(ILogger logger, string @default);

        [LoggerMessage(1123, LogLevel.Information, "policy: admin API reset the policy store ({Rules} local rules gone); live now")]
        public static partial void Reset(ILogger logger, int rules);
    }
}
