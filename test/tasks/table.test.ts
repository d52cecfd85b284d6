/** docs/tasks.md must equal the table generated from the registered task definitions. */
import { expect } from "chai";
import * as fs from "fs";
import hre from "hardhat";
import { TASKS_DOC, areaTaskNames, renderTaskTable } from "../../scripts/gen-task-table";
import { registeredTasks } from "../../tasks/lib/cli";

describe("docs/tasks.md", () => {
  it("equals the generated task table (run `npx ts-node scripts/gen-task-table.ts` to update)", () => {
    expect(fs.readFileSync(TASKS_DOC, "utf8")).to.equal(renderTaskTable(hre));
  });

  it("lists every registered task exactly once", () => {
    const names = areaTaskNames(hre);
    expect([...names].sort()).to.deep.equal([...registeredTasks].sort());
    const doc = fs.readFileSync(TASKS_DOC, "utf8");
    for (const name of names) expect(doc.split(`| \`${name}\` |`).length - 1, name).to.equal(1);
  });
});
