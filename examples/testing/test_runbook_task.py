"""Tests of the shipped runbook Task with pytest and boto3, against `shellstep serve` (AWS_ENDPOINT_URL):
TestState with a mocked result, a Step Functions Local test case, and the real local round trip."""
import json
import pathlib
import time

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
MACHINE = (ROOT / "state-machines" / "run-shell-command.asl.json").read_text()
INSTANCE_ID = "i-0123456789abcdef0"  # serve --instance i-0123456789abcdef0
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
RUN_RUNBOOK = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ssm:*", "iam:PassRole"], "Resource": "*"}]}

# TestState's API model puts "sync-" before the endpoint's host, which 127.0.0.1 cannot take.
sfn = boto3.client("stepfunctions", config=Config(inject_host_prefix=False))
ssm = boto3.client("ssm")
iam = boto3.client("iam")


def role_arn():
    """The state machines' role, made through IAM as on AWS (or moto): a role nobody created is refused."""
    try:
        return iam.get_role(RoleName="runbook-task")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(RoleName="runbook-task", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
        iam.put_role_policy(RoleName="runbook-task", PolicyName="run-runbook", PolicyDocument=json.dumps(RUN_RUNBOOK))
        return arn


def create_machine(name, definition):
    return sfn.create_state_machine(name=name, definition=definition, roleArn=role_arn())["stateMachineArn"]


def run(state_machine_arn, name):
    arn = sfn.start_execution(stateMachineArn=state_machine_arn, name=name, input="{}")["executionArn"]
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        time.sleep(0.1)
    return execution


def test_state_with_a_mocked_runbook_result():
    result = {"CommandId": "c-1", "Status": "Success", "DocumentName": "AWS-RunShellScript", "AutomationExecutionId": "a-1"}
    response = sfn.test_state(definition=MACHINE, stateName="RunShellCommand", input="{}", mock={"result": json.dumps(result)})
    assert response["status"] == "SUCCEEDED"
    assert response["nextState"] == "GetCommandResults"
    assert json.loads(response["output"]) == {"command": result}


def test_mock_config_test_case():
    arn = create_machine("RunShellCommand", MACHINE)
    failed = run(f"{arn}#CommandFails", "fails")
    assert failed["status"] == "FAILED"
    assert failed["error"] == "RunCommand.Failed"
    succeeded = run(f"{arn}#CommandSucceeds", "succeeds")
    assert json.loads(succeeded["output"])["results"] == {"Invocations": [{"CommandId": "c-1", "InstanceId": INSTANCE_ID, "Status": "Success"}]}


def test_the_real_round_trip_on_a_local_instance():
    definition = MACHINE.replace("i-1234567890abcdef0", INSTANCE_ID).replace("sleep 100", "echo hello from pytest")
    execution = run(create_machine("RunShellCommandForReal", definition), "for-real")
    assert execution["status"] == "SUCCEEDED"
    command_id = json.loads(execution["output"])["command"]["CommandId"]
    invocation = ssm.get_command_invocation(CommandId=command_id, InstanceId=INSTANCE_ID)
    assert invocation["StandardOutputContent"] == "hello from pytest\n"
