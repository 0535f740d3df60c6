<?php
require __DIR__ . "/../app/bootstrap.php";
