using System.CommandLine;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm rm NAME</c>: removes a sandbox and everything made for it; removing what is gone succeeds.</summary>
internal static class RmCommand
{
    public static Command Create(VmmContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The sandbox" };
        var rm = new Command(
            "rm",
            "Remove a sandbox: its namespace or VM, link, address, nftables chains and registration. Idempotent.\n\nExample:\n  vmm rm dev")
        {
            name,
        };
        rm.SetAction(async (result, cancellation) =>
        {
            VmmContext.RequireRoot("vmm rm");
            string sandbox = result.GetValue(name)!;
            string stateDirectory = context.StateDirectory(result);
            using GatewayAdmin admin = GatewayAdmin.For(stateDirectory);
            var manager = new SandboxManager(new SandboxStore(stateDirectory), admin, context.Error);
            context.Out.WriteLine(await manager.RemoveAsync(sandbox, cancellation).ConfigureAwait(false)
                ? $"removed sandbox {sandbox}"
                : $"no sandbox {sandbox}; nothing to remove");
            return ExitCodes.Ok;
        });
        return rm;
    }
}
