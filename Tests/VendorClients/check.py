"""Reads a Serin stand-in's answers with the vendor's own client library, so the stand-ins cannot drift into
a dialect only Serin understands. Run by VendorClientTests:

    python3 check.py datadog  <url> <api key> <application key> <query> <from> <to>
    python3 check.py influxdb <url> <token> <org> <flux>
    python3 check.py cloudwatch <url> <access key id> <web identity token>
    python3 check.py stackdriver <url> <project> <access token> <mql>
    <signalfx venv>/bin/python check.py splunk <url> <token> <program>

Prints one JSON object: what the client parsed ("value", "valid"), or the status and parsed error body of
the exception the client raised ("status", "error").
"""
import json
import sys


def datadog(url, api_key, app_key, query, start, end):
    from datadog_api_client import ApiClient, Configuration
    from datadog_api_client.exceptions import ApiException
    from datadog_api_client.v1.api.authentication_api import AuthenticationApi
    from datadog_api_client.v1.api.metrics_api import MetricsApi

    configuration = Configuration(host=url)
    configuration.api_key["apiKeyAuth"] = api_key
    configuration.api_key["appKeyAuth"] = app_key
    configuration.enable_retry = False
    with ApiClient(configuration) as client:
        try:
            answer = MetricsApi(client).query_metrics(_from=int(start), to=int(end), query=query)
            valid = AuthenticationApi(client).validate()
        except ApiException as error:
            # The client parses a JSON error body itself (a dict); it keeps any other body as text.
            body = error.body if isinstance(error.body, dict) else json.loads(error.body)
            return {"status": error.status, "error": body}
        series = answer.series
        points = [list(point.value) for point in series[0].pointlist] if series else []
        return {"value": points[0][1] if points else None, "points": len(points), "status_field": answer.status,
                "valid": valid.valid}


def influxdb(url, token, org, flux):
    from influxdb_client import InfluxDBClient
    from influxdb_client.rest import ApiException

    with InfluxDBClient(url=url, token=token, org=org) as client:
        try:
            tables = client.query_api().query(flux)
        except ApiException as error:
            return {"status": error.status, "error": json.loads(error.body)}
        records = [record for table in tables for record in table.records]
        return {"value": records[0].get_value() if records else None, "records": len(records)}


def cloudwatch(url, access_key, token):
    """boto3 speaks CloudWatch's newest protocol (CBOR) by default; the model is given the JSON protocol Serin
    speaks (one of the protocols CloudWatch lists), so boto3's own JSON parser reads the stand-in."""
    import os
    import tempfile
    import boto3
    import botocore.session
    from botocore.exceptions import ClientError

    loader = botocore.session.get_session().get_component("data_loader")
    version = loader.determine_latest_version("cloudwatch", "service-2")
    model = loader.load_service_model("cloudwatch", "service-2", version)
    model["metadata"]["protocol"] = "json"
    model["metadata"]["protocols"] = ["json"]
    folder = tempfile.mkdtemp()
    os.makedirs(os.path.join(folder, "cloudwatch", version))
    with open(os.path.join(folder, "cloudwatch", version, "service-2.json"), "w") as file:
        json.dump(model, file)
    os.environ["AWS_DATA_PATH"] = folder
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key="secret", region_name="eu-west-1")
    client = session.client("cloudwatch", endpoint_url=url)
    result = {}
    try:
        answer = client.get_metric_data(
            MetricDataQueries=[{"Id": "q", "Expression": "SUM(x)", "ReturnData": True}],
            StartTime=1800000000, EndTime=1800000600, MaxDatapoints=20)
        first = answer["MetricDataResults"][0]
        result.update(value=first["Values"][0], id=first["Id"], status_code=first["StatusCode"])
    except ClientError as error:
        result.update(status=error.response["ResponseMetadata"]["HTTPStatusCode"], error=error.response["Error"]["Code"])
    try:
        sts = session.client("sts", endpoint_url=url)
        assumed = sts.assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/serin", RoleSessionName="check", WebIdentityToken=token)
        result["assumed_key"] = assumed["Credentials"]["AccessKeyId"]
    except ClientError as error:
        result["sts_error"] = error.response["Error"]["Code"]
    return result


def stackdriver(url, project, token, mql):
    """google-cloud-monitoring's QueryServiceClient speaks only gRPC, so the REST answer is read with the
    library's own message type (protobuf's JSON mapping, which is the REST format; unknown fields refused)
    and its errors with google-api-core's mapping of HTTP errors."""
    import requests
    from google.api_core import exceptions
    from google.cloud import monitoring_v3

    response = requests.post(
        f"{url}/v3/projects/{project}/timeSeries:query", json={"query": mql},
        headers={"Authorization": f"Bearer {token}"}, timeout=30)
    if response.status_code != 200:
        error = exceptions.from_http_response(response)
        return {"status": error.code, "error": type(error).__name__, "message": error.message}
    answer = monitoring_v3.QueryTimeSeriesResponse.from_json(response.text, ignore_unknown_fields=False)
    values = [point.values[0].double_value for item in answer.time_series_data for point in item.point_data]
    return {"value": values[0] if values else None, "series": len(answer.time_series_data)}


def splunk(url, token, program):
    """Splunk's official `signalfx` library (its own virtualenv: it pins protobuf below 4.21) runs a SignalFlow
    computation on the stand-in's WebSocket and reads its messages: data (series id to value), metadata, the
    job's handle and state; a program error or a refused token as the exception the library raises."""
    import time
    import signalfx
    from signalfx.signalflow import messages

    now = int(time.time() * 1000)
    flow = signalfx.SignalFx(stream_endpoint=url).signalflow(token, compress=False)
    try:
        computation = flow.execute(program, start=now - 600000, stop=now, immediate=True)
        values, metadata = [], {}
        for message in computation.stream():
            if isinstance(message, messages.DataMessage):
                values += list(message.data.values())
            elif isinstance(message, messages.MetadataMessage):
                metadata[message.tsid] = message.properties.get("sf_metric")
        return {"values": values, "metadata": metadata, "handle": computation.id, "state": computation.state,
                "online": signalfx.SignalFx(api_endpoint=url).rest(token).search_metrics(query="", limit=1)["count"]}
    except Exception as error:  # the library's SignalFlowException carries the code and message
        return {"error": type(error).__name__, "code": getattr(error, "code", None), "message": str(error)}
    finally:
        flow.close()


if __name__ == "__main__":
    vendor, *arguments = sys.argv[1:]
    print(json.dumps({"datadog": datadog, "influxdb": influxdb, "cloudwatch": cloudwatch, "stackdriver": stackdriver,
                      "splunk": splunk}[vendor](*arguments)))
