setenv ORACLE_HOME /u01/app/oracle/product/19.0.0/dbhome_1
setenv ORACLE_SID ORCL
if ( $?prompt ) then
    setenv ORACLE_PROMPT yes
endif
